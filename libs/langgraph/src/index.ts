export * from './decision-id';
export * from './approval';
export * from './driver';
