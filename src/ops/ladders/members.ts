/**
 * A ladder class as people: the member IDs (a lookalike `members` seed, or `exclusions.ids` in the
 * members universe) and the linked third-party IDs (`exclusions.ids` in the third-party universe).
 */
import { z } from 'zod';
import { ladderMembers } from '../../ladders/index.ts';
import { Day } from '../fields.ts';
import { defineOp, wsOf } from '../operation.ts';
import { substantiveClassifier } from './classifier.ts';
import { LadderClassInput } from './fields.ts';

export const LadderMembersInput = z
  .object({
    asOf: Day.meta({ description: 'the class as of this day (only data before it)' }),
    class: LadderClassInput,
  })
  .strict()
  .meta({ id: 'LadderMembersRequest' });

export const ladderMembersOp = defineOp({
  name: 'ladder.members',
  summary:
    'Member IDs (and linked third-party IDs) of a ladder class as of a day: lookalike seeds and exclusions',
  input: LadderMembersInput,
  roles: ['data_scientist'],
  long: false,
  run: async (ctx, input) => {
    const r = await ladderMembers(wsOf(ctx), input.class, input.asOf, {
      classifier: substantiveClassifier(ctx),
    });
    return {
      asOf: r.asOf,
      description: r.description,
      members: r.memberIds.length,
      thirdParty: r.thirdPartyIds.length,
      memberIds: r.memberIds,
      thirdPartyIds: r.thirdPartyIds,
    };
  },
});
