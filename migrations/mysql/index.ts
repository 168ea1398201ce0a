export { Migration20261122181930_Initial } from './Migration20261122181930_Initial.js';
export { Migration20261122192411_Jobs } from './Migration20261122192411_Jobs.js';
export { Migration20261122200000_MailWordPress } from './Migration20261122200000_MailWordPress.js';
export { Migration20261122223000_ConnectorAuthHttpLog } from './Migration20261122223000_ConnectorAuthHttpLog.js';
export { Migration20261122233000_CommerceConnectors } from './Migration20261122233000_CommerceConnectors.js';
export { Migration20261122224500_PriceRequestOut } from './Migration20261122224500_PriceRequestOut.js';
export { Migration20261123010000_ClientHoldIndex } from './Migration20261123010000_ClientHoldIndex.js';
export { Migration20261201080000_RequestOutRetention } from './Migration20261201080000_RequestOutRetention.js';
