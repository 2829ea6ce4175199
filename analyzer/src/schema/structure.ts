/**
 * Looking through names: the structure of a type after following references to named instances, and merging
 * object types (interface `extends`, `A & B`). Following a reference makes the caller depend on that instance's
 * content, so its files are added to the caller's dependencies.
 */
import type { Acc, Registry } from "./context.js";
import { tyKey, type Prop, type Ty } from "./ir.js";

/** The type behind references; null when a referenced instance is still being converted (a cycle). */
export function structure(reg: Registry, ty: Ty, acc: Acc): Ty | null {
  let t = ty;
  for (let guard = 0; guard < 100; guard++) {
    if (t.k === "wire") t = t.inner;
    else if (t.k === "ref") {
      const next = reg.instanceType(t.id, acc);
      if (next === null) return null;
      t = next;
    } else return t;
  }
  return null;
}

type Obj = Extract<Ty, { k: "object" }>;

/**
 * Merges object types. With `override` (interface extends) a later property replaces an earlier one;
 * otherwise (intersection) both constraints apply and the property is required if any side requires it.
 */
export function mergeObjects(objs: Obj[], override: boolean): Obj {
  const props: Prop[] = [];
  let index: Obj["index"] = null;
  for (const o of objs) {
    for (const p of o.props) {
      const at = props.findIndex((q) => q.name === p.name);
      if (at < 0) props.push(p);
      else if (override) props[at] = p;
      else {
        const q = props[at];
        const same = tyKey(q.ty) === tyKey(p.ty);
        props[at] = {
          ...q,
          ty: same ? q.ty : { k: "allOf", types: [q.ty, p.ty] },
          optional: q.optional && p.optional,
          wire: q.wire ?? p.wire,
          doc: q.doc ?? p.doc,
        };
      }
    }
    if (o.index) {
      if (!index || override) index = o.index;
      else if (tyKey(index.value) !== tyKey(o.index.value)) index = { key: index.key, value: { k: "allOf", types: [index.value, o.index.value] } };
    }
  }
  return { k: "object", props, index };
}
