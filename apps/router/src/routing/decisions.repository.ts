import { EntityManager } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { DecisionEntity } from './decision.entity';

export type NewDecision = Omit<DecisionEntity, 'routed_at'>;

/** Records a decision unless one with its id exists; says whether it was new. One round trip. */
export async function recordDecision(manager: EntityManager, row: NewDecision): Promise<boolean> {
  const values = row as QueryDeepPartialEntity<DecisionEntity>; // jsonb columns hold plain objects
  const result = await manager.createQueryBuilder().insert().into(DecisionEntity).values(values).orIgnore().returning(['decision_id']).execute();
  return (result.raw as unknown[]).length === 1;
}

export function findDecision(manager: EntityManager, decisionId: string): Promise<DecisionEntity | null> {
  return manager.findOne(DecisionEntity, { where: { decision_id: decisionId } });
}
