// The resource table as one workspace sees it: the built-in descriptors plus the workspace's
// user-defined fields (and those of its shared space), with the renderer and the validator bound
// to it. Workspaces without user-defined fields share the base schema.

import type { EntityStore } from '../store/entity-store.js';
import { InputValidator } from './input.js';
import type { Registry } from './registry.js';
import { Renderer } from './render.js';

export type DeleteRule = 'cascade' | 'clear' | 'refuse';

export interface IncomingReference {
  store: string;
  column: string;
  rule: DeleteRule;
}

export class Schema {
  readonly renderer: Renderer;
  readonly input: InputValidator;
  /** store -> single reference columns that can point into it, with what a delete does to them */
  readonly incoming = new Map<string, IncomingReference[]>();

  constructor(
    readonly registry: Registry,
    store: EntityStore,
  ) {
    this.renderer = new Renderer(store, registry);
    this.input = new InputValidator(registry, store);
    const treeParents = new Set(registry.entities.filter((e) => e.tree).map((e) => `${e.store}.${e.tree!.parentField}`));
    for (const s of registry.stores.values()) {
      for (const c of s.columns.values()) {
        if (c.field.type !== 'reference') continue;
        const rule: DeleteRule = treeParents.has(`${s.name}.${c.name}`) ? 'refuse' : (c.field.onTargetDelete ?? (c.field.required ? 'cascade' : 'clear'));
        for (const target of registry.storesOf(c.field.targets ?? [])) {
          const list = this.incoming.get(target) ?? [];
          if (!list.some((x) => x.store === s.name && x.column === c.name)) list.push({ store: s.name, column: c.name, rule });
          this.incoming.set(target, list);
        }
      }
    }
  }
}
