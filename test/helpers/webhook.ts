import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Post {
  path: string;
  body: any;
}

/** A real webhook on loopback: records every POST; `failures[path]` answers 500 that many times first. */
export async function webhookServer(): Promise<{ server: Server; url: (p: string) => string; posts: Post[]; failures: Record<string, number> }> {
  const posts: Post[] = [];
  const failures: Record<string, number> = {};
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    request.on('end', () => {
      const p = request.url ?? '/';
      posts.push({ path: p, body: JSON.parse(text) });
      if ((failures[p] ?? 0) > 0) {
        failures[p]!--;
        response.writeHead(500).end('no');
      } else response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: (p) => `http://127.0.0.1:${port}${p}`, posts, failures };
}
