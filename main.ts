// Entry point for `npm run synth` and `cdktf synth`: composition lives in modules/.
import { main } from "./modules/app/cli";

process.exitCode = main(process.argv.slice(2));
