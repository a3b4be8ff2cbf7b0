// Preloaded into the dynamic-provider process, which the engine starts with its own address as
// the last argument:
// - the address goes where @pulumi/pulumi looks for it, so that `pulumi.log` in a provider
//   reaches the engine (warnings show in the CLI's output) instead of the process's stderr;
// - the process ends once that engine is gone (a killed `pulumi`), instead of living on.
const engineAddress = process.argv.slice(2).reverse().find((arg) => /^[\w.-]+:\d+$/.test(arg));
if (engineAddress && !process.env.PULUMI_NODEJS_ENGINE) process.env.PULUMI_NODEJS_ENGINE = engineAddress;

const engine = process.ppid;
setInterval(() => {
  if (process.ppid !== engine) process.exit(1);
}, 500).unref();
