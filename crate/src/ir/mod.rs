//! ir: typed dataflow IR in an arena with typed handles; hash-consing gives CSE, constants
//! fold while building, and a stable text printer dumps it.
