import { Testing } from "cdktf";

// Adds toHaveResource, toHaveResourceWithProperties and friends to expect().
Testing.setupJest();
