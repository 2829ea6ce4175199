/**
 * The RP3xxx diagnostics: everything the schema builder can find wrong with a type used in a request, response,
 * pub/sub message, auth handler or streaming handshake. Each code names one root cause; the builder reports it at
 * the exact type node where the problem is written and then treats that type as "anything" so nothing cascades.
 */
import { defineDiagnostic } from "../diagnostics/define.js";
import type { DiagnosticDefinition } from "../diagnostics/define.js";

export const RP3001 = defineDiagnostic({
  code: "RP3001",
  severity: "error",
  title: "Tuple types are not supported in schemas",
  docs: "JSON Schema validation of tuples is not part of the wire format Reprise (and Encore) use. Use an object with named fields, or an array `T[]` when every element has the same type.",
});
export const RP3002 = defineDiagnostic({
  code: "RP3002",
  severity: "error",
  title: "Class types are not supported in schemas",
  docs: "A class has methods and a prototype that JSON cannot carry. Declare the wire shape as an `interface` (the class may implement it) and use the interface in the endpoint signature.",
});
export const RP3003 = defineDiagnostic({
  code: "RP3003",
  severity: "error",
  title: "Function and method types are not supported in schemas",
  docs: "Functions cannot be sent as JSON. Remove the function-typed field or method signature from the type, or move it to a type that is not part of the request/response.",
});
export const RP3004 = defineDiagnostic({
  code: "RP3004",
  severity: "error",
  title: "Basic type not supported inside a schema",
  docs: "`void`, `never`, `undefined`, `symbol`, `object` and `this` have no JSON representation inside a schema. For an optional field write `field?: T`; for an unknown value use `unknown`; for an object with unknown keys use `Record<string, unknown>`.",
});
export const RP3005 = defineDiagnostic({
  code: "RP3005",
  severity: "error",
  title: "Index signature mixed with named fields",
  docs: "An object type may be either a map (`Record<string, V>` / one index signature) or a struct with named fields, not both. Move the map into its own field, e.g. `extra: Record<string, V>`.",
});
export const RP3006 = defineDiagnostic({
  code: "RP3006",
  severity: "error",
  title: "Generic type left unresolved",
  docs: "Schemas are concrete: every type parameter of a generic type must be given (or have a default) where the type is used, e.g. `Page<User>` rather than `Page`.",
});
export const RP3007 = defineDiagnostic({
  code: "RP3007",
  severity: "error",
  title: "Unknown type name",
  docs: "The name is not declared in this file, not imported, and not a supported built-in type. Declare or import it. Supported built-ins: Date, Array, ReadonlyArray, Record, Partial, Required, Readonly, Pick, Omit, NonNullable, Exclude, Extract, Promise.",
});
export const RP3008 = defineDiagnostic({
  code: "RP3008",
  severity: "error",
  title: "Type from a package cannot be used in a schema",
  docs: "Reprise builds schemas only from the app's own source files and the SDK's marker types; it does not read node_modules. Declare the wire shape in the app (an interface that mirrors the package's type).",
});
export const RP3009 = defineDiagnostic({
  code: "RP3009",
  severity: "error",
  title: "Type imported from a module that cannot be resolved",
  docs: "The import that brings this type in points to a file that does not exist in the app. Fix the import path.",
});
export const RP3010 = defineDiagnostic({
  code: "RP3010",
  severity: "error",
  title: "Imported type is not exported by its module",
  docs: "The module exists but exports no type with this name (directly, through `export { … } from` or `export *`). Export it, or fix the imported name.",
});
export const RP3011 = defineDiagnostic({
  code: "RP3011",
  severity: "error",
  title: "Type syntax not supported in schemas",
  docs: "Conditional types, `typeof`, `import(…)` types, template literal types with placeholders and similar computed types cannot be turned into a schema. Write the resulting shape out as an interface or type alias.",
});
export const RP3012 = defineDiagnostic({
  code: "RP3012",
  severity: "error",
  title: "Circular type",
  docs: "The type is defined in terms of itself without an object in between (e.g. `type A = B; type B = A`, or an interface extending itself). Recursive types are fine when the recursion goes through a field, e.g. `interface Node { children: Node[] }`.",
});
export const RP3013 = defineDiagnostic({
  code: "RP3013",
  severity: "error",
  title: "Top-level request/response type must be an object or void",
  docs: "The request and response (and pub/sub message, auth params/data, handshake) must be an interface or object type (or `void` for none) so each field can be placed on the wire. Wrap a primitive, array, union or map in an object: `{ items: Item[] }`.",
});
export const RP3014 = defineDiagnostic({
  code: "RP3014",
  severity: "error",
  title: "Unsupported enum member value",
  docs: "Enum members must have string or number literal values (or none, for auto-numbering); a member without a value cannot follow a string member. Write the value as a literal.",
});
export const RP3015 = defineDiagnostic({
  code: "RP3015",
  severity: "error",
  title: "Unsupported property",
  docs: "Object members must be plain properties with a literal name and a type annotation. Computed keys, getters/setters and un-annotated properties cannot be placed in a schema.",
});
export const RP3016 = defineDiagnostic({
  code: "RP3016",
  severity: "error",
  title: "Unsupported type argument for a utility type",
  docs: "Partial, Required, Readonly, Pick, Omit and Record need object types and string-literal keys that are known statically, e.g. `Pick<User, \"id\" | \"name\">`.",
});
export const RP3020 = defineDiagnostic({
  code: "RP3020",
  severity: "error",
  title: "Invalid validation rule argument",
  docs: "`Min`/`Max` take a number literal, `MinLen`/`MaxLen` a non-negative integer literal, `MatchesRegexp`/`StartsWith`/`EndsWith` a string literal (for MatchesRegexp: a valid regular expression). `IsEmail` and `IsURL` take no arguments.",
});
export const RP3021 = defineDiagnostic({
  code: "RP3021",
  severity: "error",
  title: "Validation rule does not apply to this type",
  docs: "`Min`/`Max` apply to numbers (and bigint/Decimal); `MinLen`/`MaxLen` to strings and arrays; `MatchesRegexp`, `StartsWith`, `EndsWith`, `IsEmail`, `IsURL` to strings.",
});
export const RP3022 = defineDiagnostic({
  code: "RP3022",
  severity: "error",
  title: "Validation rule used without a base type",
  docs: "A validation rule constrains a type; attach it with `&`, e.g. `age: number & Min<0>` rather than `age: Min<0>`.",
});
export const RP3030 = defineDiagnostic({
  code: "RP3030",
  severity: "error",
  title: "Invalid Header/Query/Cookie/Attribute arguments",
  docs: "The forms are `Header`, `Header<\"X-Name\">`, `Header<T>` and `Header<T, \"X-Name\">` (same for Query and Cookie); `Attribute<T>` takes exactly one type. With two arguments the second must be a string literal.",
});
export const RP3031 = defineDiagnostic({
  code: "RP3031",
  severity: "error",
  title: "HttpStatus takes no type arguments",
  docs: "Declare the field as `status: HttpStatus` and set it at runtime, e.g. `HttpStatus.Created`.",
});
export const RP3032 = defineDiagnostic({
  code: "RP3032",
  severity: "error",
  title: "Type not supported for a query parameter",
  docs: "Query parameters are strings on the wire: a query field may be a string, number, boolean, Date, bigint, Decimal, literal or enum, an array of those, or a union of those. Send structured data in the body (use POST) or flatten it into several fields.",
});
export const RP3033 = defineDiagnostic({
  code: "RP3033",
  severity: "error",
  title: "More than one HttpStatus field",
  docs: "A response has one status code, so at most one field may be typed `HttpStatus`.",
});
export const RP3034 = defineDiagnostic({
  code: "RP3034",
  severity: "error",
  title: "Type not supported for a path parameter",
  docs: "A path parameter field must be a string, number (decoded as an integer), bigint or boolean, or a literal/enum of those.",
});
export const RP3035 = defineDiagnostic({
  code: "RP3035",
  severity: "error",
  title: "Type not supported for a header or cookie",
  docs: "Header and cookie values are single strings on the wire: the field may be a string, number, boolean, Date, bigint, Decimal, literal or enum (or a union of those).",
});
export const RP3036 = defineDiagnostic({
  code: "RP3036",
  severity: "warning",
  title: "Wire marker has no effect here",
  docs: "`HttpStatus` only means something in a response and `Query` only in a request; elsewhere the field is treated as a plain JSON field. Remove the marker or move the field.",
});
export const RP3037 = defineDiagnostic({
  code: "RP3037",
  severity: "error",
  title: "Type not supported for a pub/sub attribute",
  docs: "Message attributes are strings on the wire: `Attribute<T>` takes a string, number or boolean (or a literal/enum of those).",
});
export const RP3038 = defineDiagnostic({
  code: "RP3038",
  severity: "error",
  title: "Plain field in auth handler parameters",
  docs: "An auth handler only sees the request's headers, query string and cookies, so every field of its parameter type must be `Header<...>`, `Query<...>` or `Cookie<...>` (Encore rejects other fields too).",
});

export const schemaDiagnostics: readonly DiagnosticDefinition[] = Object.freeze([
  RP3001, RP3002, RP3003, RP3004, RP3005, RP3006, RP3007, RP3008, RP3009, RP3010, RP3011, RP3012, RP3013, RP3014,
  RP3015, RP3016, RP3020, RP3021, RP3022, RP3030, RP3031, RP3032, RP3033, RP3034, RP3035, RP3036, RP3037, RP3038,
]);
