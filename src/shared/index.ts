export { BaseError } from './errors.ts';
export { printTable } from './table.ts';
