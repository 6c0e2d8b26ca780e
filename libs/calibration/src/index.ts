export * from './report';
export * from './suggestions';
export * from './outputs';
export * from './replay';
export * from './post-reviews';
