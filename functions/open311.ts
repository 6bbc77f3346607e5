/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2/) over the same
 * intake and states as the portal's own API, so existing city apps and
 * aggregators can file and follow complaints.
 *
 *   GET  /open311/v2/discovery.{json|xml}
 *   GET  /open311/v2/services.{json|xml}               the pollution types
 *   GET  /open311/v2/services/{code}.{json|xml}        service definition (attributes)
 *   POST /open311/v2/requests.{json|xml}               file a complaint (api_key required)
 *   GET  /open311/v2/requests.{json|xml}               with the spec's filters and limits
 *   GET  /open311/v2/requests/{id}.{json|xml}          one request (id = reference number)
 *
 * What is public: only complaints that staff published (`published_at`) with
 * the reporter's consent (`consent_publish`) — the same set as /complaints/ —
 * for everyone, keyed partners included (no wider scope exists yet).
 * Mapping: service_request_id is the public reference number (受理编号), never
 * the reporter's tracking code (查询码), which Open311 never returns;
 * status is the state's phase, open or closed (src/domain/complaint-states.ts);
 * status_notes the state and the latest public reply written by staff (a
 * reporter's dispute is not a reply); expected_datetime the running statutory
 * deadline of an open request; description the published summary.
 * Reporters' personal data, the address and what they wrote are never returned.
 * Extension (as Chicago's and others' GeoReport endpoints do): with `extensions=true`, each request
 * carries `extended_attributes.rectification_items`, the rectification items staff linked it to
 * (id, title, plan, page URL) — the same links as the public list and its CSV.
 * Reads are rate-limited per client, or per api_key when a valid one is sent.
 */
import { and, desc, eq, getTableColumns, gte, inArray, isNotNull, lte, sql, type SQL } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { complaints } from '../db/schema.ts';
import { normaliseReference, POLLUTION_TYPES } from '../src/domain/complaint.ts';
import { clocks } from '../src/domain/complaint-handling.ts';
import { complaintStateLabel, phaseOf, statesIn, type ComplaintState } from '../src/domain/complaint-states.ts';
import { regionFullName, unitName } from '../src/site/reference.ts';
import { escapeXml } from '../src/site/xml.ts';
import type { ComplaintRow } from './complaint-service.ts';
import { limitClient, type ComplaintDeps } from './complaints.ts';
import { saltedHash } from './crypto.ts';
import { intake } from './intake.ts';
import { itemRecords, linkedItemsOf } from './complaint-items.ts';
import { DEFAULT_LIMITS, hit } from './ratelimit.ts';

export interface Open311Deps extends ComplaintDeps {
  /** Salted hashes are compared, so keys are not kept in memory as typed. Empty: POST is refused. */
  apiKeys: readonly string[];
  /** The site's public address (SITE_URL) for the discovery document; without it, the request's own (which a client's Host header sets). */
  siteUrl?: string | undefined;
}

/** Service codes are stable ASCII; names are the pollution types. */
export const SERVICES = [
  { code: 'air', name: '大气' }, { code: 'water', name: '水' }, { code: 'noise', name: '噪声' }, { code: 'solid-waste', name: '固体废物' },
  { code: 'soil', name: '土壤' }, { code: 'radiation', name: '辐射' }, { code: 'ecology', name: '生态破坏' }, { code: 'other', name: '其他' },
] as const satisfies readonly { code: string; name: (typeof POLLUTION_TYPES)[number] }[];

const MAX_RESULTS = 1000;
const DEFAULT_SPAN_DAYS = 90;
/** The dates a start_date or end_date may name. */
const EARLIEST_DATE = Date.UTC(1900, 0, 1);
const LATEST_DATE = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

type Format = 'json' | 'xml';
type Value = string | number | boolean | null | undefined | Value[] | { [k: string]: Value };

/** The content type the spec's XML examples are served with. */
const XML_TYPE = 'text/xml; charset=utf-8';

/**
 * An XML element as the spec's examples write it; a list's children are named by the list's name
 * without its plural s (endpoints → endpoint) unless `item` names them. Every text goes through
 * escapeXml (src/site/xml.ts), which also drops the characters XML 1.0 forbids.
 */
function node(name: string, v: Value, item?: string): string {
  if (v === null || v === undefined) return `<${name}/>`;
  if (Array.isArray(v)) return `<${name}>${v.map((x) => node(item ?? name.replace(/s$/, ''), x)).join('')}</${name}>`;
  if (typeof v === 'object') return `<${name}>${Object.entries(v).map(([k, x]) => node(k, x)).join('')}</${name}>`;
  return `<${name}>${escapeXml(String(v))}</${name}>`;
}
const xmlDocument = (name: string, v: Value, item?: string) => `<?xml version="1.0" encoding="utf-8"?>${node(name, v, item)}`;

function respond(c: Context, format: Format, root: string, item: string, rows: Record<string, Value>[], status: 200 | 201 = 200) {
  if (format === 'json') return c.json(rows, status);
  return c.body(xmlDocument(root, rows, item), status, { 'Content-Type': XML_TYPE });
}

/** The spec's error format: a list of {code, description}, with the HTTP status as code. */
function fail(c: Context, format: Format, status: 400 | 403 | 404 | 413 | 415 | 429, description: string) {
  const rows = [{ code: status, description }];
  if (format === 'json') return c.json(rows, status);
  return c.body(xmlDocument('errors', rows, 'error'), status, { 'Content-Type': XML_TYPE });
}

/** The format a path asks for by its extension (JSON unless it ends in .xml), for refusals made before it is parsed. */
const formatOfPath = (c: Context): Format => (c.req.path.endsWith('.xml') ? 'xml' : 'json');

/** "lat"/"long" as the address text of a request that gave only them; undefined unless both are numbers. */
function coordinatesText(lat: string | undefined, long: string | undefined): string | undefined {
  const [y, x] = [lat, long].map((v) => (v?.trim() ? Number(v) : NaN));
  return Number.isFinite(y) && Number.isFinite(x) ? `经纬度 ${y}, ${x}` : undefined;
}

/** "requests.json" → ["requests", "json"]; an unknown or missing extension is undefined. */
function split(name: string): [string, Format] | undefined {
  const m = /^(.+)\.(json|xml)$/.exec(name);
  return m ? [m[1]!, m[2] as Format] : undefined;
}

export function open311Routes(deps: Open311Deps) {
  const { db, reference } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono();
  const keyHashes = Promise.all(deps.apiKeys.map((k) => saltedHash('open311', k)));

  const serviceOf = (types: string[]) => SERVICES.find((s) => s.name === types[0]) ?? SERVICES[SERVICES.length - 1]!;

  /**
   * The latest public reply written by staff, read with the complaint in the same statement
   * (one indexed lookup per row, not one query per row). The reporter's own steps (submission,
   * dispute) are not replies: a dispute's text is the reporter's and never shown here.
   * Written as SQL: drizzle leaves the columns of a one-table select unqualified, and an
   * unqualified "id" in here would be the event's.
   */
  const latestReply = sql<string | null>`(select e.public_note from complaint_events e
    where e.complaint_id = complaints.id and e.public_note is not null and e.actor <> 'reporter'
    order by e.id desc limit 1)`;
  /** The only complaints Open311 shows: published by staff, with the reporter's consent. */
  const isPublic = [isNotNull(complaints.publishedAt), eq(complaints.consentPublish, true)];
  const findPublic = (where: SQL[], limit: number) =>
    db
      .select({ ...getTableColumns(complaints), reply: latestReply })
      .from(complaints)
      .where(and(...isPublic, ...where))
      .orderBy(desc(complaints.createdAt), desc(complaints.reference))
      .limit(limit);

  /**
   * The `extended_attributes` of each row when the client asked for extensions: the linked items,
   * read for all rows at once (two queries whatever the number of rows).
   */
  async function extendedAttributes(c: Context, rows: readonly ComplaintRow[]): Promise<Map<string, Value> | undefined> {
    if (c.req.query('extensions') !== 'true') return undefined;
    const links = await linkedItemsOf(db, rows.map((r) => r.id));
    const items = new Map((await itemRecords(db.$client, [...new Set([...links.values()].flat())])).map((i) => [i.id, i]));
    const base = deps.siteUrl || c.req.url;
    return new Map(
      rows.map((r) => [
        r.id,
        {
          rectification_items: (links.get(r.id) ?? []).flatMap((id) => {
            const item = items.get(id);
            return item ? [{ item_id: item.id, title: item.title, plan: item.plan, url: new URL(item.url, base).toString() }] : [];
          }),
        },
      ]),
    );
  }

  function view(row: ComplaintRow & { reply: string | null }, at: Date, extended?: Map<string, Value>): Record<string, Value> {
    const service = serviceOf(row.pollutionTypes);
    const clock = clocks({ state: row.state as ComplaintState, submittedAt: row.createdAt, acceptedAt: row.acceptedAt, extendedDays: row.extendedDays }, at.toISOString());
    return {
      service_request_id: row.reference,
      // The state's phase: 阶段性办结 and 有异议 are open (handling goes on, with a deadline).
      status: phaseOf(row.state),
      status_notes: [complaintStateLabel(row.state), row.reply].filter(Boolean).join('：'),
      service_name: service.name,
      service_code: service.code,
      description: row.publication?.summary ?? null,
      agency_responsible: unitName(reference, row.assignedUnit) ?? null,
      service_notice: null,
      requested_datetime: row.createdAt,
      updated_datetime: row.updatedAt,
      // The running statutory deadline: closure within 60 days of acceptance (plus any extension); before acceptance, the 15-day decision.
      expected_datetime: clock.dueBy ?? null,
      address: regionFullName(reference, row.region),
      address_id: null,
      zipcode: null,
      lat: null,
      long: null,
      media_url: null,
      ...(extended ? { extended_attributes: extended.get(row.id) ?? { rectification_items: [] } } : {}),
    };
  }

  const isKey = async (key: string) => !!key && key.length <= 200 && (await keyHashes).includes(await saltedHash('open311', key));

  /**
   * Counts a read: against the api_key's own bucket when a valid key is sent (a partner's
   * server reads for many people from one address), else against the client's. A key that
   * is sent but not valid is counted as the client's (so keys cannot be guessed faster than
   * the limit) and refused rather than quietly served as anonymous.
   */
  async function limitRead(c: Context, format: Format) {
    const key = c.req.query('api_key');
    let retryAfter: number | undefined;
    if (key !== undefined && (await isKey(key))) {
      const limit = { ...DEFAULT_LIMITS, ...deps.limits }['open311-partner'];
      const result = await hit(db, `open311-partner:${await saltedHash(deps.clientSalt, key)}`, limit, now().getTime());
      retryAfter = result.allowed ? undefined : result.retryAfter;
    } else {
      retryAfter = (await limitClient(deps, c, 'open311')).retryAfter;
      if (retryAfter === undefined && key !== undefined) return fail(c, format, 403, 'api_key 无效');
    }
    if (retryAfter === undefined) return undefined;
    c.header('Retry-After', String(retryAfter));
    return fail(c, format, 429, `请求过于频繁，请在 ${retryAfter} 秒后再试`);
  }

  app.get('/:name{discovery\\.(json|xml)}', (c) => {
    const [, format] = split(c.req.param('name'))!;
    // The configured public address: behind a proxy, or with a forged Host header, the request's own is not the site's.
    const base = new URL('/open311/v2/', deps.siteUrl || c.req.url).toString();
    const body = {
      changeset: '2026-11-23T00:00:00Z',
      contact: '本平台运维单位',
      key_service: '向本平台运维单位申请 api_key',
      endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2', url: base, changeset: '2026-11-23T00:00:00Z', type: 'production', formats: ['application/json', 'text/xml'] }],
    };
    if (format === 'json') return c.json(body);
    return c.body(xmlDocument('discovery', body), 200, { 'Content-Type': XML_TYPE });
  });

  app.get('/:name{services\\.(json|xml)}', (c) => {
    const [, format] = split(c.req.param('name'))!;
    const rows = SERVICES.map((s) => ({ service_code: s.code, service_name: s.name, description: `${s.name}污染或生态环境问题`, metadata: true, type: 'realtime', keywords: s.name, group: '生态环境' }));
    return respond(c, format, 'services', 'service', rows);
  });

  app.get('/services/:name', (c) => {
    const parts = split(c.req.param('name'));
    if (!parts) return fail(c, 'json', 404, '格式应为 json 或 xml');
    const [code, format] = parts;
    if (!SERVICES.some((s) => s.code === code)) return fail(c, format, 404, '没有这个服务代码');
    const regions = reference.regions.filter((r) => r.level !== 'national');
    const definition = {
      service_code: code,
      attributes: [
        { variable: true, code: 'region', datatype: 'singlevaluelist', required: true, datatype_description: '所在地区', order: 1, description: '所在地区', values: regions.map((r) => ({ key: r.id, name: regionFullName(reference, r.id) })) },
        { variable: true, code: 'observed_at', datatype: 'string', required: true, datatype_description: 'YYYY-MM-DD', order: 2, description: '发现时间' },
        { variable: true, code: 'suspected_polluter', datatype: 'string', required: false, datatype_description: '最多 100 字', order: 3, description: '涉嫌污染单位' },
        { variable: true, code: 'consent_publish', datatype: 'singlevaluelist', required: false, datatype_description: '', order: 4, description: '同意公开办理结果摘要', values: [{ key: 'true', name: '同意' }, { key: 'false', name: '不同意' }] },
      ],
    };
    if (format === 'json') return c.json(definition);
    return c.body(xmlDocument('service_definition', definition), 200, { 'Content-Type': XML_TYPE });
  });

  app.post('/:name{requests\\.(json|xml)}', bodyLimit({ maxSize: 32 * 1024, onError: (c) => fail(c, formatOfPath(c), 413, '请求内容过大') }), async (c) => {
    const [, format] = split(c.req.param('name'))!;
    const type = (c.req.header('Content-Type') ?? '').toLowerCase();
    if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return fail(c, format, 415, '请以 application/x-www-form-urlencoded 提交');
    let body: Record<string, string | File>;
    try {
      body = await c.req.parseBody();
    } catch {
      return fail(c, format, 400, '请求内容无法解析');
    }
    const f = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
    let pointAddress: string | undefined;
    const outcome = await intake<{ status: 400 | 403; description: string }>(deps, {
      address: deps.clientAddress(c),
      // Read once counted: a wrong key is a refused request like any other, so keys cannot be
      // guessed faster than the refused-request budget allows.
      read: async () => {
        const key = f('api_key');
        if (!key || key.length > 200 || !(await keyHashes).includes(await saltedHash('open311', key))) return { rejected: { status: 403, description: 'api_key 无效' } };
        const service = SERVICES.find((s) => s.code === f('service_code'));
        if (!service) return { rejected: { status: 400, description: 'service_code 无效' } };
        const name = [f('last_name'), f('first_name')].filter(Boolean).join('');
        // The spec lets a request give lat/long instead of an address; intake needs an address text, so it is written from them.
        const typedAddress = f('address_string')?.trim();
        pointAddress = typedAddress ? undefined : coordinatesText(f('lat'), f('long'));
        const device = f('device_id');
        return {
          input: {
            pollutionTypes: [service.name],
            region: f('attribute[region]'),
            address: typedAddress || pointAddress || '',
            latitude: f('lat'),
            longitude: f('long'),
            observedAt: f('attribute[observed_at]'),
            description: f('description'),
            suspectedPolluter: f('attribute[suspected_polluter]'),
            anonymous: !name && !f('phone') && !f('email'),
            name: name || undefined,
            phone: f('phone'),
            email: f('email'),
            consentPublish: f('attribute[consent_publish]') === 'true',
          },
          // A device sends many requests: only the same body from it again is a retry.
          key: device && device.length <= 100 ? { sender: `open311:${device}` } : undefined,
          captcha: 'exempt',
        };
      },
    });
    if ('rateLimited' in outcome) {
      c.header('Retry-After', String(outcome.rateLimited));
      return fail(c, format, 429, `提交过于频繁，请在 ${outcome.rateLimited} 秒后再试`);
    }
    if ('rejected' in outcome) return fail(c, format, outcome.rejected.status, outcome.rejected.description);
    if ('refused' in outcome) return fail(c, format, 400, Object.entries(outcome.refused).map(([k, m]) => `${k}：${m}`).join('；'));
    // Not expected: a sender's key holds the body, so another body is another key.
    if ('keyReused' in outcome) return fail(c, format, 400, 'device_id 已用于另一份不同的提交');
    const receipt = outcome.ok;
    // The reference number only: the tracking code is the reporter's secret and Open311 never returns it.
    const notice = [
      `已收到，受理编号 ${receipt.reference}（即 service_request_id）。`,
      pointAddress ? `未填写地址，已按经纬度记为“${pointAddress}”。` : '',
      '办理结果经投诉人同意并由本平台公开后，可凭受理编号在本接口查询；未公开的办理进展不通过本接口提供。',
    ].join('');
    return respond(c, format, 'service_requests', 'request', [{ service_request_id: receipt.reference, service_notice: notice, account_id: null }], 201);
  });

  app.get('/:name{requests\\.(json|xml)}', async (c) => {
    const [, format] = split(c.req.param('name'))!;
    const refused = await limitRead(c, format);
    if (refused) return refused;
    const q = (k: string) => c.req.query(k)?.trim() || undefined;
    const where: SQL[] = [];
    const ids = q('service_request_id');
    if (ids) {
      const refs = ids.split(',').slice(0, MAX_RESULTS).map((s) => normaliseReference(s));
      if (refs.some((x) => !x)) return fail(c, format, 400, 'service_request_id 无效');
      where.push(inArray(complaints.reference, refs as string[]));
    } else {
      // Without ids the spec limits the span: the last 90 days unless dates are given.
      const iso = (k: string) => {
        const v = q(k);
        if (v === undefined) return undefined;
        const t = Date.parse(v);
        // Years 1900–9999 only: near the ends of the Date range the default 90-day span would leave it (RangeError).
        return Number.isNaN(t) || v.length > 40 || t < EARLIEST_DATE || t > LATEST_DATE ? null : new Date(t).toISOString();
      };
      const end = iso('end_date');
      const start = iso('start_date');
      if (end === null || start === null) return fail(c, format, 400, 'start_date / end_date 应为 W3C 日期时间');
      const to = end ?? now().toISOString();
      const from = start ?? new Date(Date.parse(to) - DEFAULT_SPAN_DAYS * 86_400_000).toISOString();
      if (from > to) return fail(c, format, 400, 'start_date 不能晚于 end_date');
      where.push(gte(complaints.createdAt, from), lte(complaints.createdAt, to));
      const codes = q('service_code')?.split(',');
      if (codes) {
        const names = codes.map((code) => SERVICES.find((s) => s.code === code)?.name);
        if (names.some((n) => !n)) return fail(c, format, 400, 'service_code 无效');
        where.push(sql`exists (select 1 from json_each(${complaints.pollutionTypes}) where value in (${sql.join(names.map((n) => sql`${n}`), sql`, `)}))`);
      }
      const status = q('status');
      if (status) {
        if (status !== 'open' && status !== 'closed') return fail(c, format, 400, 'status 应为 open 或 closed');
        where.push(inArray(complaints.state, statesIn(status)));
      }
    }
    const at = now();
    const rows = await findPublic(where, MAX_RESULTS);
    const extended = await extendedAttributes(c, rows);
    return respond(c, format, 'service_requests', 'request', rows.map((r) => view(r, at, extended)));
  });

  app.get('/requests/:name', async (c) => {
    const parts = split(c.req.param('name'));
    if (!parts) return fail(c, 'json', 404, '格式应为 json 或 xml');
    const [id, format] = parts;
    const refused = await limitRead(c, format);
    if (refused) return refused;
    const ref = normaliseReference(id);
    const [row] = ref ? await findPublic([eq(complaints.reference, ref)], 1) : [];
    // Unpublished and unknown alike: whether an unpublished complaint exists is not public either.
    if (!row) return fail(c, format, 404, '没有这个 service_request_id');
    return respond(c, format, 'service_requests', 'request', [view(row, now(), await extendedAttributes(c, [row]))]);
  });

  app.all('*', (c) => fail(c, formatOfPath(c), 404, '没有这个接口'));
  return app;
}
