// A provider process of plain node, as the engine starts one: loads the `__provider` text
// (PROVIDER_SOURCE) with the SDK's require-from-string (REQUIRE_FROM_STRING), and prints the
// inputs its `check` makes of the news given as JSON in the first argument.
const requireFromString = require(process.env.REQUIRE_FROM_STRING);
const provider = requireFromString(process.env.PROVIDER_SOURCE).handler();
provider.check({}, JSON.parse(process.argv[2])).then(
  (result) => console.log(JSON.stringify(result.inputs)),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
