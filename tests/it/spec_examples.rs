//! Every example of the Lua API reference, as written, against the sandbox.
