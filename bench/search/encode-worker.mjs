// The worker thread's entry: registers tsx in this thread (execArgv loaders do not reach workers on every Node version), then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./encode-worker.ts');
