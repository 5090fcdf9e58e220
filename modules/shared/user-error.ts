/** A mistake in what the user gave (a flag, a file, a folder): printed as one line, exit status 1 (2 for usage). */
export class UserError extends Error {
  constructor(
    message: string,
    public readonly exitCode = 1,
  ) {
    super(message);
  }
}
