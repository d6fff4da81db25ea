// The whole resource table, one family per file. Order only matters within a store: an entity
// that owns a store comes before the views that borrow it (users.ts keeps `user` first).

import type { EntityDescriptor } from '../types.js';
import { ciDescriptors } from './ci.js';
import { collaborationDescriptors } from './collaboration.js';
import { listDescriptors } from './lists.js';
import { metadataDescriptors } from './metadata.js';
import { planningDescriptors } from './planning.js';
import { requirementDescriptors } from './requirements.js';
import { runDescriptors } from './runs.js';
import { testDescriptors } from './tests.js';
import { userDescriptors } from './users.js';
import { workItemDescriptors } from './work-items.js';

export const allDescriptors: EntityDescriptor[] = [
  ...workItemDescriptors,
  ...planningDescriptors,
  ...testDescriptors,
  ...runDescriptors,
  ...requirementDescriptors,
  ...ciDescriptors,
  ...listDescriptors,
  ...collaborationDescriptors,
  ...userDescriptors,
  ...metadataDescriptors,
];
