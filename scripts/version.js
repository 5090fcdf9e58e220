// `--version` for every command: answered before the command's bundle loads (or is rebuilt), with the
// version in package.json, exit status 0, whatever else the command line holds.
"use strict";
const path = require("path");

/** Prints the version and returns true when argv asks for it (before a `--`, which no command takes). */
function answerVersion(argv, write = (text) => process.stdout.write(text)) {
  const end = argv.indexOf("--");
  if (!(end === -1 ? argv : argv.slice(0, end)).includes("--version")) return false;
  write(`${require(path.join(__dirname, "..", "package.json")).version}\n`);
  return true;
}

module.exports = { answerVersion };
