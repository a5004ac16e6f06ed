// Messages from the training worker to the page.

/** One test digit with the model's guess. */
export interface Prediction {
  pixels: number[];
  label: number;
  predicted: number;
}

export type WorkerMessage =
  | { type: 'ready'; train: number; val: number; test: number; parameters: number; threads: number; target: number }
  | { type: 'batch'; epoch: number; epochs: number; batch: number; batches: number; loss: number; step: number }
  | { type: 'epoch'; epoch: number; step: number; trainLoss: number; trainAccuracy: number | null; valLoss: number | null; valAccuracy: number | null; testAccuracy: number; seconds: number; predictions: Prediction[] }
  | { type: 'done'; seconds: number }
  | { type: 'error'; message: string };
