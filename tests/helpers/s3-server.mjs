// The tests' S3 server process: s3rver over a folder on a loopback port, started by
// tests/helpers/s3.ts (and bench/) as a child so a test can kill it like a real outage.
// argv: DIR PORT [BUCKET…]. Prints `listening PORT` once it accepts connections.
// Node runs it with --openssl-legacy-provider: s3rver makes listing continuation tokens
// with DES, which OpenSSL 3 serves only from its legacy provider.
import S3rver from 's3rver';

const [dir, port, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  port: Number(port),
  address: '127.0.0.1',
  silent: true,
  directory: dir,
  resetOnClose: false,
  configureBuckets: buckets.map((name) => ({ name })),
});
const address = await server.run();
process.stdout.write(`listening ${address.port}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
