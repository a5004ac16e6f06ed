// Child process for the crash-during-save test: saves versions 1, 2, 3... of one tensor file as
// fast as it can, until the parent kills it.
import { full } from '@tapegrad/autograd';
import { saveTensors } from '@tapegrad/autograd/node';

const path = process.argv[2]!;
for (let version = 1; ; version++) {
  saveTensors(path, { w: full([200_000], version, { dtype: 'float64' }) }, { version });
  if (version === 1) process.stdout.write('saved\n');
}
