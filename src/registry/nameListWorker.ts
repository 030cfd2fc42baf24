// The listing worker's side (dist/nameListWorker.js): reads one page's names per message, off
// the extension host's thread (offThread.ts says why). The names go back as one string joined
// by newlines, which no repository or tag name can hold: one string crosses threads in a single
// copy, where an array of 100,000 strings is cloned item by item on the host's thread. A page
// whose names do hold a newline (a hostile server's) goes back as the array itself.

import { parentPort } from 'node:worker_threads';
import { readNameList, type NameListField } from './nameList';

interface Request {
  id: number;
  body: Uint8Array;
  field: NameListField;
}

parentPort?.on('message', ({ id, body, field }: Request) => {
  const read = readNameList(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'), field);
  if ('problem' in read) return parentPort!.postMessage({ id, problem: read.problem });
  if (read.names.some((s) => s.includes('\n'))) return parentPort!.postMessage({ id, names: read.names });
  parentPort!.postMessage({ id, joined: read.names.join('\n'), count: read.names.length });
});
