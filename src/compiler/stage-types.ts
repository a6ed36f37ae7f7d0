// Types that the late stages hand to one another: the polyhedral stage's loop
// verdicts (read by codegen and the report) and what code generation made of
// each function (read by the report). In a file of their own, imported by
// poly/, codegen/ and report/ alike, so that none of those imports another
// just for a type and the imports between the stages stay one way.

/** What the polyhedral stage found for one loop, keyed by the loop's source offset. */
export interface LoopVerdict {
  parallel: boolean;
  reason: string;
}

/** The variants code generation wrote for one function. */
export interface GeneratedFunction {
  name: string;
  variants: string[];
}
