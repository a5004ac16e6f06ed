const entries = ['autograd','autograd/node','autograd/testing','nn','nn/node','optim','data','data/node','train','train/node','onnx','onnx/node'];
let total=0;
for (const e of entries) { try { const m = await import(`@tapegrad/${e}`); const ks=Object.keys(m); total+=ks.length; console.log(e, ks.length, ks.join(' ')); } catch (err) { console.log(e, 'ERR', (err as Error).message.slice(0,80)); } }
console.log(total);
