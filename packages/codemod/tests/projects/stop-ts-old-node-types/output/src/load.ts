import * as fs from "fs";

function load(path: string): string {
  return fs.readFileSync(path, "utf8");
}

async function main(): Promise<void> {
  console.log(load("config.json"));
}

void main();
