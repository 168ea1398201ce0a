export { Migration20261122181930_Initial } from './Migration20261122181930_Initial.js';
