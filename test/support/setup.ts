// Adds toHaveResource, toHaveResourceWithProperties and friends to expect(); the import brings their types.
import { Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest";

Testing.setupJest();
