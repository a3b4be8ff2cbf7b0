// Preloaded into the dynamic-provider process: it ends once the engine that started it is gone
// (a killed `pulumi`), instead of living on adopted by another parent.
const engine = process.ppid;
setInterval(() => {
  if (process.ppid !== engine) process.exit(1);
}, 500).unref();
