// BaseLinker <-> Optimakers bridge configuration: every parameter of the integration guide
// (002_fa4eb6d08d8e5d8f.txt), read from the environment and validated at start-up. Errors name both
// the variable and the guide's parameter name, so an operator can match them with what the
// Optimakers and BaseLinker admins sent. Demo mode points everything at the simulators.
import { ConfigError } from '../../config-error.js';

export interface BridgeConfig {
  enabled: boolean;
  baselinker: {
    /** Full connector.php URL; null = the loopback simulator (demo mode only). */
    url: string | null;
    apiKey: string;
    orderStatusToImport: number;
    orderStatusToSend: number;
    importMinutes: number;
    /** Cursor start (unix seconds) before the first import. */
    importFrom: number;
    rateLimitPerMinute: number;
    rateLimitWaitMs: number;
    timeoutMs: number;
    retries: number;
  };
  optimes: {
    /** Instance address; null = the loopback simulator (demo mode only). */
    url: string | null;
    apiKey: string;
    apiKeyHeader: string;
    webhookToken: string;
    orderStatus: number;
    attributes: {
      deliveryMethod: number;
      deliveryPrice: number;
      paymentMethod: number;
      additionalField1: number;
      additionalField2: number;
      note: number;
      customerLogin: number;
    };
    /** ISO currency code -> Optimakers currency id. */
    currencyIds: Record<string, number>;
    /** VAT rate as BaseLinker sends it ("23", "8", "0", "-1" = exempt) -> Optimakers VAT rate id. */
    vatRateIds: Record<string, number>;
    timeoutMs: number;
    retries: number;
  };
}

/** Variable -> the integration guide's parameter name. */
export const BRIDGE_PARAMETERS = {
  BASELINKER_API_KEY: 'baselinkerApiKey',
  BASELINKER_ORDER_STATUS_TO_IMPORT: 'baselinkerOrderStatusToImport',
  BASELINKER_ORDER_STATUS_TO_SEND: 'baselinkerOrderStatusToSend',
  OPTIMES_URL: 'OPTIMES_URL',
  OPTIMES_API_KEY: 'optimesApiKey',
  OPTIMES_WEBHOOKTOKEN: 'optimesApiToken',
  OPTIMES_ORDER_STATUS: 'optimesOrderStatus',
  OPTIMES_ORDER_ATTRIBUTE_DELIVERY_METHOD: 'optimesOrderAttributeDeliveryMethod',
  OPTIMES_ORDER_ATTRIBUTE_DELIVERY_PRICE: 'optimesOrderAttributeDeliveryPrice',
  OPTIMES_ORDER_ATTRIBUTE_PAYMENT_METHOD: 'optimesOrderAttributePaymentMethod',
  OPTIMES_ORDER_ATTRIBUTE_ADDITIONAL_FIELD_1: 'optimesOrderAttributeAdditionalField1',
  OPTIMES_ORDER_ATTRIBUTE_ADDITIONAL_FIELD_2: 'optimesOrderAttributeAdditionalField2',
  OPTIMES_ORDER_ATTRIBUTE_NOTE: 'optimesOrderAttributeNote',
  OPTIMES_CUSTOMER_ATTRIBUTE_LOGIN: 'optimesCustomerAttributeLogin',
  OPTIMES_CURRENCY_IDS: 'currencies (code=id,...)',
  OPTIMES_VAT_RATE_IDS: 'VAT rates (rate=id,...)',
} as const;
type ParamVar = keyof typeof BRIDGE_PARAMETERS;

/** The demo configuration: ids that exist in the BaseLinker and Optimakers simulators. */
export const DEMO_BRIDGE_ENV: Record<ParamVar, string> = {
  BASELINKER_API_KEY: 'demo-baselinker-token',
  BASELINKER_ORDER_STATUS_TO_IMPORT: '1002',
  BASELINKER_ORDER_STATUS_TO_SEND: '1003',
  OPTIMES_URL: '',
  OPTIMES_API_KEY: 'demo-optimes-api-key',
  OPTIMES_WEBHOOKTOKEN: 'demo-optimes-webhook-token',
  OPTIMES_ORDER_STATUS: '12',
  OPTIMES_ORDER_ATTRIBUTE_DELIVERY_METHOD: '201',
  OPTIMES_ORDER_ATTRIBUTE_DELIVERY_PRICE: '202',
  OPTIMES_ORDER_ATTRIBUTE_PAYMENT_METHOD: '203',
  OPTIMES_ORDER_ATTRIBUTE_ADDITIONAL_FIELD_1: '204',
  OPTIMES_ORDER_ATTRIBUTE_ADDITIONAL_FIELD_2: '205',
  OPTIMES_ORDER_ATTRIBUTE_NOTE: '206',
  OPTIMES_CUSTOMER_ATTRIBUTE_LOGIN: '301',
  OPTIMES_CURRENCY_IDS: 'PLN=1,EUR=2',
  OPTIMES_VAT_RATE_IDS: '23=1,8=2,5=3,0=4,zw=5',
};

const label = (name: ParamVar) => (BRIDGE_PARAMETERS[name] === name ? name : `${name} (${BRIDGE_PARAMETERS[name]})`);

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

function parseMap(name: ParamVar, raw: string, normaliseKey: (k: string) => string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=\s]+)\s*=\s*(\d+)$/.exec(part);
    const key = m ? normaliseKey(m[1]!) : null;
    if (!m || key === null || Number(m[2]) < 1) throw new ConfigError(`${label(name)} has an invalid entry "${part}"; expected key=id pairs separated by commas, e.g. ${DEMO_BRIDGE_ENV[name]}`);
    if (key in out) throw new ConfigError(`${label(name)} lists "${m[1]}" twice`);
    out[key] = Number(m[2]);
  }
  if (!Object.keys(out).length) throw new ConfigError(`${label(name)} must map at least one entry, e.g. ${DEMO_BRIDGE_ENV[name]}`);
  return out;
}

/** "23", "23.0", "23%" -> "23"; "zw", "-1", "exempt" -> "-1". */
export function vatKey(k: string | number): string | null {
  const s = String(k).trim().toLowerCase().replace(/%$/, '');
  if (s === 'zw' || s === 'exempt' || s === '-1') return '-1';
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 && n <= 100 ? String(n) : null;
}

export function loadBridgeConfig(env: NodeJS.ProcessEnv, demo: boolean): BridgeConfig {
  const explicit = env.BRIDGE_ENABLED;
  if (explicit !== undefined && explicit !== '' && !['true', 'false', '1', '0'].includes(explicit)) throw new ConfigError(`BRIDGE_ENABLED must be true or false, got "${explicit}"`);
  const anySet = Object.keys(BRIDGE_PARAMETERS).some((k) => !!env[k]) || !!env.BASELINKER_URL;
  const enabled = explicit === 'false' || explicit === '0' ? false : explicit === 'true' || explicit === '1' ? true : demo || anySet;
  const useDemo = demo;

  const raw = (name: ParamVar): string => {
    const v = env[name] ?? (name === 'OPTIMES_WEBHOOKTOKEN' ? env.OPTIMES_API_TOKEN : undefined);
    if (v) return v;
    if (useDemo) return DEMO_BRIDGE_ENV[name];
    if (enabled) throw new ConfigError(`${label(name)} is required for the BaseLinker-Optimakers bridge in production (NODE_ENV=production)`);
    return '';
  };
  const id = (name: ParamVar): number => {
    const v = raw(name);
    if (!enabled && !v) return 0;
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new ConfigError(`${label(name)} must be a positive whole number (an id), got "${v}"`);
    return Number(v);
  };
  const url = (name: string, value: string | undefined): string | null => {
    if (!value) {
      if (enabled && !demo && name === 'OPTIMES_URL') throw new ConfigError('OPTIMES_URL is required for the BaseLinker-Optimakers bridge in production (NODE_ENV=production), e.g. https://test.syneo.pl');
      return null;
    }
    try {
      const u = new URL(value);
      if (!/^https?:$/.test(u.protocol)) throw new Error();
    } catch {
      throw new ConfigError(`${name} is not a valid http(s) URL: "${value}"`);
    }
    return value.replace(/\/+$/, '');
  };

  const apiKey = raw('BASELINKER_API_KEY');
  const webhookToken = raw('OPTIMES_WEBHOOKTOKEN');
  if (enabled && webhookToken.length < 16) throw new ConfigError(`${label('OPTIMES_WEBHOOKTOKEN')} must be at least 16 characters (it is the webhook's security token)`);
  const importFromRaw = env.BASELINKER_IMPORT_FROM;
  let importFrom = 0;
  if (importFromRaw) {
    importFrom = /^\d+$/.test(importFromRaw) ? Number(importFromRaw) : Math.floor(Date.parse(importFromRaw) / 1000);
    if (!Number.isFinite(importFrom)) throw new ConfigError(`BASELINKER_IMPORT_FROM must be unix seconds or an ISO date, got "${importFromRaw}"`);
  }
  const headerName = env.OPTIMES_API_KEY_HEADER || 'X-Api-Key';
  if (!/^[A-Za-z0-9-]{1,64}$/.test(headerName)) throw new ConfigError(`OPTIMES_API_KEY_HEADER is not a valid header name: "${headerName}"`);

  const cfg: BridgeConfig = {
    enabled,
    baselinker: {
      // Unset in production means BaseLinker's one public endpoint.
      url: url('BASELINKER_URL', env.BASELINKER_URL) ?? (demo ? null : 'https://api.baselinker.com/connector.php'),
      apiKey,
      orderStatusToImport: id('BASELINKER_ORDER_STATUS_TO_IMPORT'),
      orderStatusToSend: id('BASELINKER_ORDER_STATUS_TO_SEND'),
      importMinutes: int(env, 'BASELINKER_IMPORT_MINUTES', 5, 1, 1440),
      importFrom,
      // 90% of BaseLinker's 100/minute: the limiter is per process, and clocks and transit times differ.
      rateLimitPerMinute: int(env, 'BASELINKER_RATE_LIMIT_PER_MINUTE', 90, 1, 10_000),
      rateLimitWaitMs: int(env, 'BASELINKER_RATE_LIMIT_WAIT_MS', 60_000, 0, 600_000),
      timeoutMs: int(env, 'BASELINKER_TIMEOUT_MS', 15_000, 50, 120_000),
      retries: int(env, 'BASELINKER_RETRIES', 3, 0, 10),
    },
    optimes: {
      url: url('OPTIMES_URL', env.OPTIMES_URL),
      apiKey: raw('OPTIMES_API_KEY'),
      apiKeyHeader: headerName,
      webhookToken,
      orderStatus: id('OPTIMES_ORDER_STATUS'),
      attributes: {
        deliveryMethod: id('OPTIMES_ORDER_ATTRIBUTE_DELIVERY_METHOD'),
        deliveryPrice: id('OPTIMES_ORDER_ATTRIBUTE_DELIVERY_PRICE'),
        paymentMethod: id('OPTIMES_ORDER_ATTRIBUTE_PAYMENT_METHOD'),
        additionalField1: id('OPTIMES_ORDER_ATTRIBUTE_ADDITIONAL_FIELD_1'),
        additionalField2: id('OPTIMES_ORDER_ATTRIBUTE_ADDITIONAL_FIELD_2'),
        note: id('OPTIMES_ORDER_ATTRIBUTE_NOTE'),
        customerLogin: id('OPTIMES_CUSTOMER_ATTRIBUTE_LOGIN'),
      },
      currencyIds: enabled ? parseMap('OPTIMES_CURRENCY_IDS', raw('OPTIMES_CURRENCY_IDS'), (k) => (/^[A-Za-z]{3}$/.test(k) ? k.toUpperCase() : null)) : {},
      vatRateIds: enabled ? parseMap('OPTIMES_VAT_RATE_IDS', raw('OPTIMES_VAT_RATE_IDS'), vatKey) : {},
      timeoutMs: int(env, 'OPTIMES_TIMEOUT_MS', 15_000, 50, 120_000),
      retries: int(env, 'OPTIMES_RETRIES', 3, 0, 10),
    },
  };
  if (enabled && cfg.baselinker.orderStatusToImport === cfg.baselinker.orderStatusToSend) {
    throw new ConfigError(`${label('BASELINKER_ORDER_STATUS_TO_IMPORT')} and ${label('BASELINKER_ORDER_STATUS_TO_SEND')} must differ, or realised orders would be imported again`);
  }
  return cfg;
}
