// Makes cdktf's matcher types (declared in its jest adapter) visible to every test file for tsc.
import "cdktf/lib/testing/adapters/jest";
