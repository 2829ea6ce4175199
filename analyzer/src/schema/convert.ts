/**
 * TypeScript type syntax (swc AST) → the builder's IR. Handles keywords, literals, arrays, object types,
 * unions, intersections (validation rules, object merges), references to declarations (through the
 * resolver, instantiating generics), enums and interface inheritance. Built-in generic types (Record, Pick, …)
 * and SDK markers live in builtins.ts. Every unsupported construct is reported once, at its own node, and
 * becomes ERROR so nothing downstream reports it again.
 */
import type {
  Span,
  TsEntityName,
  TsEnumDeclaration,
  TsInterfaceDeclaration,
  TsType,
  TsTypeElement,
  TsTypeParameter,
  TsTypeReference,
  TsUnionType,
  TsIntersectionType,
  TsMappedType,
} from "@swc/core";
import { SCHEMA as D } from "../diagnostics/schema.js";
import { ANY, ERROR, prim, tyKey, type Prop, type RuleExpr, type Ty } from "./ir.js";
import type { DeclNode } from "./scope.js";
import { report, textOf, docAbove, type Ctx, type Registry } from "./context.js";
import { convertBuiltin, convertSdkType, applyRules, keysOf } from "./builtins.js";
import { mergeObjects, structure } from "./structure.js";
import { keysOfExpression, queriedValue, typeofQuery } from "./infer.js";

type Mode = "strict" | "loose";

export class Converter {
  constructor(readonly reg: Registry) {}

  /** `loose` lets void/undefined/never through for the caller to interpret (unions, top level). */
  convert(node: TsType, ctx: Ctx, mode: Mode = "strict"): Ty {
    switch (node.type) {
      case "TsKeywordType":
        switch (node.kind) {
          case "string":
          case "number":
          case "boolean":
          case "null":
            return prim(node.kind);
          case "any":
          case "unknown":
            return ANY;
          case "bigint":
            return { k: "bigint" };
          case "void":
          case "undefined":
          case "never":
            if (mode === "loose") return { k: node.kind };
            report(this.reg, ctx, D.BasicTypeUnsupported, node.span, `'${node.kind}' cannot be part of a schema. ${node.kind === "undefined" ? "For an optional field write 'field?: T'." : "Remove it or use 'unknown'."}`);
            return ERROR;
          default:
            report(this.reg, ctx, D.BasicTypeUnsupported, node.span, `'${node.kind}' cannot be part of a schema. Use an interface, 'Record<string, unknown>' or 'unknown' instead.`);
            return ERROR;
        }
      case "TsThisType":
        report(this.reg, ctx, D.BasicTypeUnsupported, node.span, "'this' types cannot be part of a schema. Name the type explicitly.");
        return ERROR;
      case "TsFunctionType":
      case "TsConstructorType":
        report(this.reg, ctx, D.FunctionType, node.span, "Function types cannot be sent as JSON. Remove this field from the request/response type.");
        return ERROR;
      case "TsParenthesizedType":
        return this.convert(node.typeAnnotation, ctx, mode);
      case "TsArrayType": {
        const items = this.valueOnly(this.convert(node.elemType, ctx), node.elemType, ctx);
        return items.k === "error" ? ERROR : { k: "array", items: unwire(items) };
      }
      case "TsTupleType":
        report(this.reg, ctx, D.TupleType, node.span, "Tuple types are not supported in schemas. Use an object with named fields, or an array 'T[]'.");
        return ERROR;
      case "TsOptionalType":
      case "TsRestType":
        report(this.reg, ctx, D.TupleType, node.span, "Optional and rest elements belong to tuple types, which are not supported in schemas.");
        return ERROR;
      case "TsLiteralType":
        return this.literal(node, ctx);
      case "TsTypeLiteral":
        return this.objectFromMembers(node.members, ctx);
      case "TsUnionType":
        return this.union(node, ctx, mode);
      case "TsIntersectionType":
        return this.intersection(node, ctx);
      case "TsTypeReference":
        return this.reference(node, ctx);
      case "TsTypeOperator":
        if (node.op === "readonly") return this.convert(node.typeAnnotation, ctx, mode);
        if (node.op === "keyof") return this.keyof(node.typeAnnotation, node.span, ctx);
        report(this.reg, ctx, D.BasicTypeUnsupported, node.span, "'unique symbol' cannot be part of a schema.");
        return ERROR;
      case "TsIndexedAccessType":
        return this.indexedAccess(node.objectType, node.indexType, node.span, ctx);
      case "TsMappedType":
        return this.mapped(node, ctx);
      case "TsTypeQuery":
        return typeofQuery(this, node, ctx);
      case "TsConditionalType":
      case "TsInferType":
        return this.unsupported(ctx, node.span, "Conditional types are not supported in schemas. Write the resulting type out as an interface or type alias.");
      case "TsImportType":
        return this.unsupported(ctx, node.span, "'import(…)' types are not supported in schemas. Import the type with an import declaration.");
      case "TsTypePredicate":
        return this.unsupported(ctx, node.span, "Type predicates cannot be part of a schema.");
      default:
        return this.unsupported(ctx, (node as { span: Span }).span, "This type syntax is not supported in schemas.");
    }
  }

  unsupported(ctx: Ctx, span: Span, message: string): Ty {
    report(this.reg, ctx, D.TypeSyntaxUnsupported, span, message);
    return ERROR;
  }

  private literal(node: Extract<TsType, { type: "TsLiteralType" }>, ctx: Ctx): Ty {
    const lit = node.literal;
    switch (lit.type) {
      case "StringLiteral":
        return { k: "lit", v: lit.value };
      case "NumericLiteral":
        return { k: "lit", v: lit.value };
      case "BooleanLiteral":
        return { k: "lit", v: lit.value };
      case "BigIntLiteral": {
        const n = Number(lit.raw?.replace(/n$/, "") ?? NaN);
        if (Number.isSafeInteger(n)) return { k: "lit", v: n };
        return this.unsupported(ctx, node.span, "This bigint literal is outside the range a JSON number carries exactly.");
      }
      case "TemplateLiteral":
        if (lit.types.length === 0) return { k: "lit", v: lit.quasis.map((q) => q.cooked ?? q.raw).join("") };
        return this.unsupported(ctx, node.span, "Template literal types with placeholders are not supported in schemas. Use 'string' (with 'MatchesRegexp' for the format).");
    }
  }

  /** A property's type: `T | undefined` makes it optional, a wire marker is lifted onto the property. */
  field(node: TsType, ctx: Ctx): { ty: Ty; optional: boolean; wire: Prop["wire"] } {
    let n = node;
    while (n.type === "TsParenthesizedType") n = n.typeAnnotation;
    let optional = false;
    let ty: Ty;
    if (n.type === "TsUnionType" && n.types.some(isUndefinedKeyword)) {
      optional = true;
      const rest = n.types.filter((t) => !isUndefinedKeyword(t));
      if (rest.length === 0) {
        report(this.reg, ctx, D.BasicTypeUnsupported, node.span, "A field of type 'undefined' carries no value. Remove it.");
        return { ty: ERROR, optional, wire: null };
      }
      ty = rest.length === 1 ? this.convert(rest[0], ctx) : this.unionOf(rest, ctx);
    } else {
      ty = this.convert(n, ctx);
    }
    ty = this.valueOnly(ty, node, ctx);
    if (ty.k === "wire") return { ty: ty.inner, optional, wire: { kind: ty.wire, name: ty.name } };
    return { ty, optional, wire: null };
  }

  /** A validation rule or an empty type where a value type is needed is reported here, once. */
  valueOnly(ty: Ty, node: TsType, ctx: Ctx): Ty {
    if (ty.k === "rule") {
      report(this.reg, ctx, D.RuleWithoutBase, node.span, "A validation rule needs a base type: attach it with '&', e.g. 'number & Min<0>'.");
      return ERROR;
    }
    if (ty.k === "void" || ty.k === "undefined" || ty.k === "never") {
      report(this.reg, ctx, D.BasicTypeUnsupported, node.span, `'${ty.k}' cannot be part of a schema.`);
      return ERROR;
    }
    return ty;
  }

  private union(node: TsUnionType, ctx: Ctx, mode: Mode): Ty {
    const ty = this.unionOf(node.types, ctx);
    if (mode === "strict" && (ty.k === "void" || ty.k === "undefined" || ty.k === "never")) {
      report(this.reg, ctx, D.BasicTypeUnsupported, node.span, `This union is '${ty.k}' and carries no value.`);
      return ERROR;
    }
    return ty;
  }

  unionOf(nodes: TsType[], ctx: Ctx): Ty {
    const members: Ty[] = [];
    const rules: RuleExpr["items"] = [];
    let sawNothing: Ty | null = null;
    let ruleNode: TsType | null = null;
    for (const n of nodes) {
      const t = this.convert(n, ctx, "loose");
      if (t.k === "error") return ERROR;
      if (t.k === "void" || t.k === "undefined" || t.k === "never") {
        // JSON drops undefined values, so `T | undefined` in a nested position accepts the same JSON as `T`.
        sawNothing = t;
        continue;
      }
      if (t.k === "rule") {
        rules.push(t.expr);
        ruleNode ??= n;
        continue;
      }
      pushFlat(members, unwire(t));
    }
    if (rules.length && members.length) {
      report(this.reg, ctx, D.RuleWithoutBase, ruleNode!.span, "A validation rule cannot be an alternative to a type. Attach rules with '&', e.g. 'string & (IsEmail | IsURL)'.");
      return ERROR;
    }
    if (rules.length) return { k: "rule", expr: rules.length === 1 && "op" in rules[0] ? (rules[0] as RuleExpr) : { op: "or", items: rules } };
    if (members.length === 0) return sawNothing ?? { k: "never" };
    const dedup = dedupe(members);
    return dedup.length === 1 ? dedup[0] : { k: "union", types: dedup };
  }

  private intersection(node: TsIntersectionType, ctx: Ctx): Ty {
    const others: Ty[] = [];
    const rules: RuleExpr["items"] = [];
    let wire: Extract<Ty, { k: "wire" }> | null = null;
    for (const n of node.types) {
      const t = this.convert(n, ctx);
      if (t.k === "error") return ERROR;
      if (t.k === "rule") rules.push(t.expr);
      else if (t.k === "wire") {
        wire ??= t;
        others.push(t.inner);
      } else others.push(t);
    }
    let base: Ty;
    if (others.length === 0) {
      if (rules.length) {
        // Only rules: a rule set to be attached by an outer intersection, e.g. `number & (Min<1> & Max<5>)`.
        return { k: "rule", expr: { op: "and", items: rules } };
      }
      return ERROR;
    }
    if (others.length === 1) base = others[0];
    else {
      const merged = mergeIntersection(this.reg, others, ctx);
      if (merged === null) {
        report(this.reg, ctx, D.CircularType, node.span, "This intersection refers to a type that is still being defined (a circular type). Give the recursive part its own field.");
        return ERROR;
      }
      base = merged;
    }
    if (rules.length) base = applyRules(this, base, { op: "and", items: rules }, node.span, ctx);
    if (wire && base.k !== "error") return { ...wire, inner: base };
    return base;
  }

  /** A type reference: a type parameter, a declaration of the app, an SDK marker or a built-in. */
  reference(node: TsTypeReference, ctx: Ctx): Ty {
    const args = node.typeParams?.params ?? [];
    if (node.typeName.type === "Identifier" && ctx.env.has(node.typeName.value)) return ctx.env.get(node.typeName.value)!;
    const sym = this.reg.resolver(ctx.acc).lookupEntity(ctx.file, node.typeName);
    const name = entityText(node.typeName);
    switch (sym.kind) {
      case "decl":
        if (sym.decl.kind === "class") {
          report(this.reg, ctx, D.ClassType, node.span, `'${name}' is a class; classes cannot be sent as JSON. Declare the wire shape as an interface and use that.`);
          return ERROR;
        }
        return this.instanceRef(sym.file, sym.name, sym.decl, args, node, ctx);
      case "value":
        report(this.reg, ctx, D.UnknownTypeName, node.span, `'${name}' is a value, not a type. Use 'typeof ${name}' for its type, or declare an interface.`);
        return ERROR;
      case "enumMember": {
        const values = this.enumValues(sym.decl, { ...ctx, file: sym.file });
        const v = values?.get(sym.member);
        if (v === undefined) {
          if (values) report(this.reg, ctx, D.UnknownTypeName, node.span, `Enum '${sym.enumName}' has no member '${sym.member}'.`);
          return ERROR;
        }
        return { k: "lit", v };
      }
      case "sdk":
        return convertSdkType(this, sym, args, node, ctx);
      case "global":
        return convertBuiltin(this, sym.name, args, node, ctx);
      case "package":
        report(this.reg, ctx, D.PackageType, node.span, `'${name}' comes from the package '${sym.specifier}'; schemas can only use types declared in the app. Declare the shape in the app as an interface.`);
        return ERROR;
      case "unresolvedModule":
        report(this.reg, ctx, D.UnresolvedTypeImport, node.span, `'${name}' is imported from '${sym.specifier}', which does not resolve to a file of the app. Fix the import path.`);
        return ERROR;
      case "missingExport":
        report(this.reg, ctx, D.TypeNotExported, node.span, `'${sym.specifier}' does not export '${sym.name}'. Export it from that module or fix the imported name.`);
        return ERROR;
      case "broken":
        return ERROR;
      case "namespace":
      case "sdkNamespace":
        report(this.reg, ctx, D.UnknownTypeName, node.span, `'${name}' is a namespace import, not a type. Use a type from it, e.g. '${name}.SomeType'.`);
        return ERROR;
      case "unknown":
        report(this.reg, ctx, D.UnknownTypeName, node.span, `Cannot find type '${sym.name}'. Declare it or import it.`);
        return ERROR;
    }
  }

  private instanceRef(file: string, name: string, decl: DeclNode, argNodes: TsType[], node: TsTypeReference, ctx: Ctx): Ty {
    const params = typeParamsOf(decl);
    if (argNodes.length > params.length) {
      report(this.reg, ctx, D.GenericUnresolved, node.typeParams!.span, `'${name}' takes ${params.length} type argument${params.length === 1 ? "" : "s"}, but ${argNodes.length} were given.`);
      return ERROR;
    }
    const args: Ty[] = [];
    for (const a of argNodes) {
      const t = this.valueOnly(this.convert(a, ctx), a, ctx);
      if (t.k === "error") return ERROR;
      args.push(t);
    }
    if (args.length < params.length) {
      const env = new Map<string, Ty>();
      params.slice(0, args.length).forEach((p, i) => env.set(p.name.value, args[i]));
      for (const p of params.slice(args.length)) {
        if (!p.default) {
          report(this.reg, ctx, D.GenericUnresolved, node.span, `'${name}' is generic: give its type parameter '${p.name.value}' a concrete type, e.g. '${name}<${params.map((q) => q.name.value === p.name.value ? "string" : q.name.value).join(", ")}>'.`);
          return ERROR;
        }
        const t = this.convert(p.default, { file, env, acc: ctx.acc });
        if (t.k === "error") return ERROR;
        env.set(p.name.value, t);
        args.push(t);
      }
    }
    const id = this.reg.instantiate(file, name, decl, args, ctx.acc);
    return { k: "ref", id };
  }

  /** Converts the body of a declaration with its type parameters bound (called by the builder). */
  convertDecl(decl: DeclNode, name: string, args: Ty[], ctx: Ctx): Ty {
    const params = typeParamsOf(decl);
    params.forEach((p, i) => ctx.env.set(p.name.value, args[i] ?? ANY));
    switch (decl.kind) {
      case "alias":
        return this.convert(decl.node.typeAnnotation, ctx);
      case "interface":
        return this.interfaceType(decl.nodes, name, ctx);
      case "enum": {
        const values = this.enumValues(decl, ctx);
        if (!values) return ERROR;
        const lits: Ty[] = [...new Set(values.values())].map((v) => ({ k: "lit", v }));
        return lits.length === 1 ? lits[0] : { k: "union", types: lits };
      }
      case "class":
        return ERROR;
    }
  }

  private interfaceType(nodes: TsInterfaceDeclaration[], name: string, ctx: Ctx): Ty {
    const bases: Extract<Ty, { k: "object" }>[] = [];
    for (const n of nodes) {
      for (const h of n.extends) {
        const typeName = expressionToEntity(h.expression);
        if (!typeName) {
          report(this.reg, ctx, D.TypeSyntaxUnsupported, h.span, "An interface can only extend a named type here.");
          return ERROR;
        }
        const ref: TsTypeReference = { type: "TsTypeReference", span: h.span, typeName, typeParams: h.typeArguments };
        const t = this.reference(ref, ctx);
        if (t.k === "error") return ERROR;
        const s = structure(this.reg, t, ctx.acc);
        if (s === null) {
          report(this.reg, ctx, D.CircularType, h.span, `'${name}' extends itself (directly or through another interface).`);
          return ERROR;
        }
        if (s.k === "error") return ERROR;
        if (s.k !== "object") {
          report(this.reg, ctx, D.TypeSyntaxUnsupported, h.span, `'${name}' can only extend object types.`);
          return ERROR;
        }
        bases.push(s);
      }
    }
    const own = this.objectFromMembers(nodes.flatMap((n) => n.body.body), ctx);
    if (own.k !== "object" || bases.length === 0) return own;
    // Own members override inherited ones, like TypeScript's own rule for compatible overrides.
    return mergeObjects([...bases, own], true);
  }

  objectFromMembers(members: TsTypeElement[], ctx: Ctx): Ty {
    const props: Prop[] = [];
    let index: { key: "string" | "number"; value: Ty } | null = null;
    let indexSpan: Span | null = null;
    const pf = this.reg.getFile(ctx.file);
    for (const m of members) {
      switch (m.type) {
        case "TsPropertySignature": {
          const key = propertyName(m.key, m.computed);
          if (key === null) {
            report(this.reg, ctx, D.PropertyUnsupported, (m.key as { span: Span }).span, "Computed property names are not supported in schemas. Use a plain name.");
            continue;
          }
          if (!m.typeAnnotation) {
            report(this.reg, ctx, D.PropertyUnsupported, m.span, `Property '${key}' needs a type annotation.`);
            continue;
          }
          const f = this.field(m.typeAnnotation.typeAnnotation, ctx);
          const prop: Prop = { name: key, ty: f.ty, optional: m.optional || f.optional, wire: f.wire, doc: pf ? docAbove(pf, pf.offsetOf(m.span.start)) : null, file: ctx.file, typeSpan: m.typeAnnotation.typeAnnotation.span };
          const at = props.findIndex((p) => p.name === key);
          if (at >= 0) props[at] = prop;
          else props.push(prop);
          break;
        }
        case "TsMethodSignature":
        case "TsCallSignatureDeclaration":
        case "TsConstructSignatureDeclaration":
          report(this.reg, ctx, D.FunctionType, m.span, "Methods and call signatures cannot be sent as JSON. Remove them from the request/response type.");
          break;
        case "TsGetterSignature":
        case "TsSetterSignature":
          report(this.reg, ctx, D.PropertyUnsupported, m.span, "Getters and setters are not supported in schemas. Declare a plain property.");
          break;
        case "TsIndexSignature": {
          const param = m.params[0] as { typeAnnotation?: { typeAnnotation: TsType } } | undefined;
          const keyNode = param?.typeAnnotation?.typeAnnotation;
          const keyTy = keyNode ? this.convert(keyNode, ctx) : ERROR;
          if (keyTy.k === "error") break;
          if (keyTy.k !== "prim" || (keyTy.t !== "string" && keyTy.t !== "number")) {
            report(this.reg, ctx, D.PropertyUnsupported, keyNode!.span, "Index signature keys must be 'string' or 'number'.");
            break;
          }
          if (!m.typeAnnotation) {
            report(this.reg, ctx, D.PropertyUnsupported, m.span, "The index signature needs a value type.");
            break;
          }
          if (index) {
            report(this.reg, ctx, D.IndexSignatureMixed, m.span, "Only one index signature is supported per object type.");
            break;
          }
          index = { key: keyTy.t, value: unwire(this.convert(m.typeAnnotation.typeAnnotation, ctx)) };
          indexSpan = m.span;
          break;
        }
      }
    }
    if (index && props.length) {
      report(this.reg, ctx, D.IndexSignatureMixed, indexSpan!, "An object type cannot mix an index signature with named fields. Move the map into its own field, e.g. 'extra: Record<string, V>'.");
      index = null;
    }
    return { k: "object", props, index };
  }

  /** Member values of an enum, or null after reporting an unsupported member. */
  enumValues(decl: DeclNode, ctx: Ctx): Map<string, string | number> | null {
    if (decl.kind !== "enum") return null;
    const values = new Map<string, string | number>();
    let next: number | null = 0;
    for (const node of decl.nodes as TsEnumDeclaration[]) {
      for (const m of node.members) {
        const name = m.id.value;
        const init = m.init as { type: string; value?: unknown; operator?: string; argument?: { type: string; value?: unknown }; expressions?: unknown[]; quasis?: { cooked?: string; raw: string }[]; span: Span } | undefined;
        let v: string | number | undefined;
        if (!init) {
          if (next === null) {
            report(this.reg, ctx, D.EnumMemberValue, m.span, `Enum member '${name}' needs a value: it follows a string member.`);
            return null;
          }
          v = next;
        } else if (init.type === "StringLiteral") v = init.value as string;
        else if (init.type === "NumericLiteral") v = init.value as number;
        else if (init.type === "UnaryExpression" && init.operator === "-" && init.argument?.type === "NumericLiteral") v = -(init.argument.value as number);
        else if (init.type === "TemplateLiteral" && init.expressions?.length === 0) v = init.quasis!.map((q) => q.cooked ?? q.raw).join("");
        else {
          report(this.reg, ctx, D.EnumMemberValue, init.span, `Enum member '${name}' must have a string or number literal value.`);
          return null;
        }
        values.set(name, v);
        next = typeof v === "number" ? v + 1 : null;
      }
    }
    return values;
  }

  private keyof(target: TsType, span: Span, ctx: Ctx): Ty {
    // `keyof typeof obj` needs only the object's keys, not its (possibly function-valued) properties.
    if (target.type === "TsTypeQuery") {
      const v = queriedValue(this, target, ctx);
      if (!v) return ERROR;
      const keys = v.value.init ? keysOfExpression(v.value.init) : null;
      if (keys && !v.value.annotation) return keys.length === 0 ? { k: "never" } : keys.length === 1 ? { k: "lit", v: keys[0] } : { k: "union", types: keys.map((k) => ({ k: "lit", v: k })) };
    }
    const t = this.convert(target, ctx);
    if (t.k === "error") return ERROR;
    const keys = keysOfObject(this.reg, t, ctx);
    if (keys === null) return this.unsupported(ctx, span, "'keyof' needs an object type whose keys are known.");
    return keys;
  }

  private indexedAccess(objectNode: TsType, indexNode: TsType, span: Span, ctx: Ctx): Ty {
    const obj = this.convert(objectNode, ctx);
    if (obj.k === "error") return ERROR;
    const idx = this.convert(indexNode, ctx);
    if (idx.k === "error") return ERROR;
    const s = structure(this.reg, obj, ctx.acc);
    if (s?.k === "array" && idx.k === "prim" && idx.t === "number") return s.items;
    const keys = keysOf(this.reg, idx, ctx.acc);
    if (!s || s.k !== "object" || !keys) return this.unsupported(ctx, span, "Indexed access types need an object type and string-literal keys.");
    const out: Ty[] = [];
    for (const k of keys) {
      const p = s.props.find((q) => q.name === k);
      if (!p) {
        report(this.reg, ctx, D.UtilityTypeArgument, indexNode.span, `Property '${k}' does not exist on '${textOf(this.reg, ctx, objectNode.span)}'.`);
        return ERROR;
      }
      pushFlat(out, p.ty);
    }
    return out.length === 1 ? out[0] : { k: "union", types: dedupe(out) };
  }

  private mapped(node: TsMappedType, ctx: Ctx): Ty {
    if (node.nameType) return this.unsupported(ctx, node.span, "Mapped types with an 'as' clause are not supported in schemas.");
    const constraint = node.typeParam.constraint;
    if (!constraint || !node.typeAnnotation) return this.unsupported(ctx, node.span, "This mapped type is not supported in schemas.");
    // `{ [K in keyof T]: … }` keeps T's optional fields optional, as TypeScript does.
    let source: Extract<Ty, { k: "object" }> | null = null;
    let c = constraint;
    while (c.type === "TsParenthesizedType") c = c.typeAnnotation;
    if (c.type === "TsTypeOperator" && c.op === "keyof") {
      const t = this.convert(c.typeAnnotation, ctx);
      if (t.k === "error") return ERROR;
      const s = structure(this.reg, t, ctx.acc);
      if (s?.k === "object") source = s;
    }
    const keyTy = this.convert(constraint, ctx);
    if (keyTy.k === "error") return ERROR;
    const param = node.typeParam.name.value;
    if (keyTy.k === "prim" && (keyTy.t === "string" || keyTy.t === "number")) {
      const env = new Map(ctx.env).set(param, keyTy);
      const value = this.convert(node.typeAnnotation, { ...ctx, env });
      return value.k === "error" ? ERROR : { k: "object", props: [], index: { key: keyTy.t, value } };
    }
    const keys = keysOf(this.reg, keyTy, ctx.acc);
    if (!keys) return this.unsupported(ctx, constraint.span, "The keys of this mapped type must be string literals.");
    const props: Prop[] = [];
    for (const k of keys) {
      const env = new Map(ctx.env).set(param, { k: "lit", v: k });
      const f = this.field(node.typeAnnotation, { ...ctx, env });
      if (f.ty.k === "error") return ERROR;
      const orig = source?.props.find((p) => p.name === k);
      const optional = node.optional === "-" ? false : node.optional ? true : (orig?.optional ?? false) || f.optional;
      props.push({ name: k, ty: f.ty, optional, wire: f.wire ?? orig?.wire ?? null, doc: orig?.doc ?? null, file: ctx.file, typeSpan: node.typeAnnotation.span });
    }
    return { k: "object", props, index: null };
  }
}

function keysOfObject(reg: Registry, t: Ty, ctx: Ctx): Ty | null {
  const s = structure(reg, t, ctx.acc);
  if (!s || s.k !== "object") return null;
  const lits: Ty[] = s.props.map((p) => ({ k: "lit", v: p.name }));
  if (s.index) lits.push(prim(s.index.key === "number" ? "number" : "string"));
  if (lits.length === 0) return { k: "never" };
  return lits.length === 1 ? lits[0] : { k: "union", types: lits };
}

/** Merges `A & B & …` where no member is a validation rule. null = a member is still being defined. */
function mergeIntersection(reg: Registry, tys: Ty[], ctx: Ctx): Ty | null {
  const structs: Ty[] = [];
  for (const t of tys) {
    if (t.k === "any") continue;
    const s = structure(reg, t, ctx.acc);
    if (s === null) return null;
    structs.push(s);
  }
  if (structs.length === 0) return ANY;
  if (structs.every((s) => s.k === "object")) return mergeObjects(structs as Extract<Ty, { k: "object" }>[], false);
  // `(A | B) & C` distributes like TypeScript does: `(A & C) | (B & C)`, when every alternative is an object.
  const alternatives: Extract<Ty, { k: "object" }>[][] = [];
  let combos = 1;
  for (const s of structs) {
    const members = s.k === "union" ? s.types.map((m) => structure(reg, m, ctx.acc)) : [s];
    if (!members.every((m): m is Extract<Ty, { k: "object" }> => m !== null && m.k === "object")) {
      combos = 0;
      break;
    }
    alternatives.push(members);
    combos *= members.length;
  }
  if (combos > 1 && combos <= 64) {
    let product: Extract<Ty, { k: "object" }>[][] = [[]];
    for (const members of alternatives) product = product.flatMap((prefix) => members.map((m) => [...prefix, m]));
    return { k: "union", types: product.map((objs) => mergeObjects(objs, false)) };
  }
  // `string & { __brand: "UserId" }` (a branded primitive): on the wire it is the primitive.
  const scalars = structs.filter((s) => s.k !== "object");
  if (scalars.length === 1 && isScalar(scalars[0])) return tys[structs.indexOf(scalars[0])] ?? scalars[0];
  return { k: "allOf", types: tys };
}

function isScalar(t: Ty): boolean {
  return t.k === "prim" || t.k === "lit" || t.k === "date" || t.k === "bigint" || t.k === "decimal" || (t.k === "union" && t.types.every(isScalar)) || (t.k === "rules" && isScalar(t.base));
}

export function unwire(t: Ty): Ty {
  return t.k === "wire" ? t.inner : t;
}

export function pushFlat(out: Ty[], t: Ty): void {
  if (t.k === "union") for (const m of t.types) pushFlat(out, m);
  else out.push(t);
}

export function dedupe(tys: Ty[]): Ty[] {
  const seen = new Set<string>();
  const out: Ty[] = [];
  // `"a" | string` is `string`; `true | false` stays an enum of both (written as boolean by the emitter).
  const hasPrim = new Set(tys.filter((t) => t.k === "prim").map((t) => (t as { t: string }).t));
  for (const t of tys) {
    if (t.k === "lit" && hasPrim.has(typeof t.v === "number" ? "number" : typeof t.v)) continue;
    const key = tyKey(t);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}

function isUndefinedKeyword(t: TsType): boolean {
  while (t.type === "TsParenthesizedType") t = t.typeAnnotation;
  return t.type === "TsKeywordType" && t.kind === "undefined";
}

function typeParamsOf(decl: DeclNode): TsTypeParameter[] {
  if (decl.kind === "alias") return decl.node.typeParams?.parameters ?? [];
  if (decl.kind === "interface") return decl.nodes.find((n) => n.typeParams)?.typeParams?.parameters ?? [];
  return [];
}

export function propertyName(key: unknown, computed: boolean): string | null {
  const k = key as { type: string; value?: unknown };
  if (k.type === "Identifier" && !computed) return k.value as string;
  if (k.type === "StringLiteral") return k.value as string;
  if (k.type === "NumericLiteral") return String(k.value);
  return null;
}

export function entityText(n: TsEntityName): string {
  return n.type === "Identifier" ? n.value : `${entityText(n.left)}.${n.right.value}`;
}

function expressionToEntity(e: unknown): TsEntityName | null {
  const x = e as { type: string; value?: string; span: Span; object?: unknown; property?: { type: string; value: string; span: Span } };
  if (x.type === "Identifier") return e as TsEntityName;
  if (x.type === "MemberExpression" && x.property?.type === "Identifier") {
    const left = expressionToEntity(x.object);
    if (!left) return null;
    return { type: "TsQualifiedName", left, right: x.property } as unknown as TsEntityName;
  }
  return null;
}
