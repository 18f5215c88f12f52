//! codegen: IR -> bytecode, with register allocation of block temporaries and superinstructions.
