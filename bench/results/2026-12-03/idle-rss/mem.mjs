// Loaded with --import: 20 s after start, the process's memory by V8 space (MB, size/used), to stderr.
import v8 from 'node:v8';
const mb = (bytes) => (bytes / 1048576).toFixed(1);
setTimeout(() => {
  const m = process.memoryUsage();
  const code = v8.getHeapCodeStatistics();
  const summary = { rssMB: mb(m.rss), heapTotalMB: mb(m.heapTotal), heapUsedMB: mb(m.heapUsed), externalMB: mb(m.external), codeMB: mb(code.code_and_metadata_size), bytecodeMB: mb(code.bytecode_and_metadata_size), scriptSourceMB: mb(code.external_script_source_size) };
  const spaces = v8.getHeapSpaceStatistics().map((s) => `${s.space_name} ${mb(s.space_size)}/${mb(s.space_used_size)}`).join(', ');
  process.stderr.write(`${JSON.stringify(summary)}\n${spaces}\n`);
}, 20_000).unref();
