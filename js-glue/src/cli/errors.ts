// The CLI's two kinds of failure, mapped to exit codes by main: a usage error (2) is the user's
// command line; a failure (1) is everything that went wrong while doing the work.

export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

export class Failure extends Error {}
