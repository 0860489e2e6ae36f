// Starts Azurite's blob service with accounts that can be added while it runs.
// Azurite reads its accounts from AZURITE_ACCOUNTS once a minute; the fake ARM creates storage
// accounts at any time, so this launcher re-reads them from a file (argv[2]) and makes Azurite
// refresh every 200 ms. Everything after argv[2] goes to azurite-blob unchanged.
"use strict";
const fs = require("fs");
const path = require("path");
const root = path.join(process.env.AZURITE_HOME, "node_modules", "azurite", "dist", "src");
const constants = require(path.join(root, "common", "utils", "constants.js"));
constants.DEFAULT_ACCOUNTS_REFRESH_INTERVAL = 200;
const accountsFile = process.argv[2];
function load() {
  try {
    const text = fs.readFileSync(accountsFile, "utf8").trim();
    if (text) process.env.AZURITE_ACCOUNTS = text;
  } catch (err) {
    // the file is written by the fake; until it exists the default account serves
  }
}
load();
setInterval(load, 100).unref();
// Never outlive the test process that started it (a crashed pytest must not leave Azurite running).
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 500).unref();
process.argv = [process.argv[0], path.join(root, "blob", "main.js"), ...process.argv.slice(3)];
require(path.join(root, "blob", "main.js"));
