// The SQL statements a Durable Object's storage runs while counted: `exec` wrapped on the storage's
// prototype, kept only for this object's `sql` (other objects in the isolate share the prototype). Typed as
// any object: this folder is also compiled for Node, which has no SqlStorage type.
export function countSqlStatements(sql: object) {
  const texts: string[] = [];
  const proto = Object.getPrototypeOf(sql) as { exec: (...a: unknown[]) => unknown };
  const exec = proto.exec;
  proto.exec = function (this: unknown, ...args: unknown[]) {
    if (this === sql) texts.push(String(args[0]));
    return exec.apply(this, args);
  };
  return {
    texts,
    count: (pattern: RegExp) => texts.filter((text) => pattern.test(text)).length,
    reset: () => texts.splice(0),
    stop: () => {
      proto.exec = exec;
    },
  };
}
