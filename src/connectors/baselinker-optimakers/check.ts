// The bridge's part of the connector check: BaseLinker's order statuses and Optimakers' statuses,
// attributes, currencies and VAT rates that the configuration names.
import type { CommerceConnectors } from '../commerce/connectors.js';
import { message, type CheckLine, type CheckReport } from '../commerce/check-report.js';

export async function checkBaseLinker(c: CommerceConnectors): Promise<CheckReport> {
  const checks: CheckLine[] = [];
  if (!c.baselinker) return { connector: 'baselinker', ok: false, checks: [{ check: 'enabled', ok: false, detail: 'the BaseLinker-Optimakers bridge is disabled' }] };
  const cfg = c.config.bridge.baselinker;
  try {
    const statuses = await c.baselinker.getOrderStatusList();
    checks.push({ check: 'reachable', ok: true, detail: `getOrderStatusList answered with ${statuses.length} statuses` });
    for (const [label, id] of [
      ['baselinkerOrderStatusToImport', cfg.orderStatusToImport],
      ['baselinkerOrderStatusToSend', cfg.orderStatusToSend],
    ] as const) {
      const s = statuses.find((x) => x.id === id);
      checks.push({ check: label, ok: !!s, detail: s ? `status ${id} exists: "${s.name}"` : `status ${id} does not exist in BaseLinker (known: ${statuses.map((x) => `${x.id} ${x.name}`).join(', ')})` });
    }
  } catch (err) {
    checks.push({ check: 'reachable', ok: false, detail: message(err) });
  }
  return { connector: 'baselinker', ok: checks.every((x) => x.ok), checks };
}

export async function checkOptimakers(c: CommerceConnectors): Promise<CheckReport> {
  const checks: CheckLine[] = [];
  if (!c.optimakers) return { connector: 'optimakers', ok: false, checks: [{ check: 'enabled', ok: false, detail: 'the BaseLinker-Optimakers bridge is disabled' }] };
  const om = c.config.bridge.optimes;
  try {
    const [statuses, attributes, currencies, vatRates] = await Promise.all([c.optimakers.list('order-statuses'), c.optimakers.list('attributes'), c.optimakers.list('currencies'), c.optimakers.list('vat-rates')]);
    checks.push({ check: 'reachable', ok: true, detail: `API key accepted; ${statuses.length} order statuses, ${attributes.length} attributes, ${currencies.length} currencies, ${vatRates.length} VAT rates` });
    const status = statuses.find((s) => s.id === om.orderStatus);
    checks.push({ check: 'optimesOrderStatus', ok: !!status, detail: status ? `status ${om.orderStatus} exists: "${status.name}"` : `order status ${om.orderStatus} does not exist in Optimakers` });
    const attrs: [string, number, string][] = [
      ['optimesOrderAttributeDeliveryMethod', om.attributes.deliveryMethod, 'order'],
      ['optimesOrderAttributeDeliveryPrice', om.attributes.deliveryPrice, 'order'],
      ['optimesOrderAttributePaymentMethod', om.attributes.paymentMethod, 'order'],
      ['optimesOrderAttributeAdditionalField1', om.attributes.additionalField1, 'order'],
      ['optimesOrderAttributeAdditionalField2', om.attributes.additionalField2, 'order'],
      ['optimesOrderAttributeNote', om.attributes.note, 'order'],
      ['optimesCustomerAttributeLogin', om.attributes.customerLogin, 'customer'],
    ];
    for (const [label, id, entity] of attrs) {
      const a = attributes.find((x) => x.id === id);
      const ok = !!a && (!a.entity || a.entity === entity);
      checks.push({ check: label, ok, detail: !a ? `attribute ${id} does not exist in Optimakers` : ok ? `attribute ${id} exists: "${a.name}"` : `attribute ${id} ("${a.name}") belongs to ${a.entity}, expected ${entity}` });
    }
    for (const [code, id] of Object.entries(om.currencyIds)) {
      const cur = currencies.find((x) => x.id === id);
      const ok = !!cur && (!cur.code || cur.code.toUpperCase() === code);
      checks.push({ check: `currency ${code}`, ok, detail: !cur ? `currency id ${id} does not exist in Optimakers` : ok ? `currency id ${id} exists (${cur.code ?? cur.name})` : `currency id ${id} is ${cur.code}, not ${code}` });
    }
    for (const [rate, id] of Object.entries(om.vatRateIds)) {
      const v = vatRates.find((x) => x.id === id);
      const label = rate === '-1' ? 'zw' : `${rate}%`;
      const ok = !!v && (rate === '-1' ? v.rate == null : v.rate == null || Number(v.rate) === Number(rate));
      checks.push({ check: `VAT rate ${label}`, ok, detail: !v ? `VAT rate id ${id} does not exist in Optimakers` : ok ? `VAT rate id ${id} exists ("${v.name}")` : `VAT rate id ${id} is "${v.name}", not ${label}` });
    }
  } catch (err) {
    checks.push({ check: 'reachable', ok: false, detail: message(err) });
  }
  return { connector: 'optimakers', ok: checks.every((x) => x.ok), checks };
}
