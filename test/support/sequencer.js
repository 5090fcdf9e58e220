// Runs the suites that wait on real terraform first, on a clean clone too (jest's default order needs the
// timings of an earlier run): on two cores a long suite started last leaves one core idle at the end.
const path = require("path");
const Sequencer = require("@jest/test-sequencer").default;

const FIRST = [
  // terraform apply into moto_server, then plans: the longest suites.
  "apply-examples.integration",
  "lifecycle",
  "plan-review-integration",
  "terraform-module-integration",
  "integration",
  "plan-integration",
  "config-property",
  "terraform-harness",
  "bad-input-corpus",
  "cdktf-cli",
];
const rank = (test) => {
  const name = path.basename(test.path, ".test.ts");
  const i = FIRST.indexOf(name);
  return i === -1 ? FIRST.length : i;
};

class TerraformFirst extends Sequencer {
  sort(tests) {
    const byDefault = super.sort(tests);
    return [...byDefault].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = TerraformFirst;
