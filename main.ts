// Entry point for `npm run synth` and `cdktf synth`: composition lives in modules/.
import { main } from "./modules/app/cli";
import { skipTokenStackTraces } from "./modules/shared/token-traces";

skipTokenStackTraces();

process.exitCode = main(process.argv.slice(2));
