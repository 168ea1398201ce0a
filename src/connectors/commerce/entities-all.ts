// Every table of the Jubelio gateway and the BaseLinker <-> Optimakers bridge, for src/db/orm.ts.
import { commerceSharedEntities } from './entities.js';
import { jubelioEntities } from '../jubelio/entities.js';
import { bridgeEntities } from '../baselinker-optimakers/entities.js';

export const commerceConnectorEntities = [...commerceSharedEntities, ...jubelioEntities, ...bridgeEntities];
