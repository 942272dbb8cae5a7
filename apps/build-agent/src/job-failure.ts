// A job that ends as `failed` for a reason its user should read (bad keyboard, compiler error, timeout).
// Anything else thrown while building is a bug in the agent or its host, reported the same way but logged.

// make never ran: the request was refused before anything was written to the tree.
export const RETURNCODE_NOT_BUILT = -1;

export class JobFailure extends Error {
  override name = "JobFailure";
  readonly returncode: number;
  readonly output: string;

  constructor(message: string, opts: { returncode?: number; output?: string } = {}) {
    super(message);
    this.returncode = opts.returncode ?? RETURNCODE_NOT_BUILT;
    this.output = opts.output ?? "";
  }
}
