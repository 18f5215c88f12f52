//! syntax: source text -> AST with spans (lexer, Pratt parser; expression and kernel entry points).
