// The composition root. Filled in by the foundation work.
return 0;
