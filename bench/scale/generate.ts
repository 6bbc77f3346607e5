/**
 * SYNTHETIC content for the scale benchmark (`bench/scale/build.ts`): a content
 * folder shaped like the real `content/` but with N items, to measure how the
 * build (content check, Astro, Pagefind, search index) grows with the data.
 *
 *   node_modules/.bin/tsx bench/scale/generate.ts 10000        # → .scratch/scale/10000/content
 *   node_modules/.bin/tsx bench/scale/generate.ts 10000 --out DIR
 *
 * Nothing here is real and nothing is written to `content/`. Every inspection,
 * plan, source and case title starts 【合成数据】, every item carries a note
 * saying it is synthetic, ids start `syn-`, and the folder holds SYNTHETIC.txt.
 *
 * Shapes are copied from the real files: inspections by round per province;
 * one plan per inspected jurisdiction (12–62 items, as the real plans have
 * 17 and 62), sometimes in two groups with declared counts; items with one
 * part or several labelled parts, targets, parsable deadlines, units, leaders
 * and numbered measures; dated status histories citing progress reports;
 * sign-offs; items continuing an earlier round's item; amendment notices whose
 * "before" text is the item's text; cases, reporting rounds and progress
 * summaries. Text is recombined from the real content's sentences, with
 * numbers and place names changed. Regions are the 31 provinces with
 * generated prefectures and counties; units are generated per region from the
 * real unit names. The output passes `scripts/check-content.ts` (the
 * benchmark runs it). Deterministic: the same N gives the same files.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { measuresToText } from '../../src/domain/amend.ts';
import { parseDeadline } from '../../src/domain/deadline.ts';
import type { StatusId } from '../../src/domain/status.ts';
import { loadContent } from '../../src/content/load.ts';
import type {
  Amendment, AmendmentChange, CaseRecord, Inspection, Item, ItemPart, Measure, Plan, ProgressSummary,
  Region, ReportingRound, SourceDocument, StatusEntry, Topic, Unit,
} from '../../src/model/schemas.ts';

/** The as-of date the benchmark builds with (PORTAL_AS_OF); no generated date is later. */
export const SCALE_AS_OF = '2026-06-30';
const LABEL = '合成数据';
const NOTE = '合成数据（synthetic）：本条为规模测试自动生成，并非真实整改任务。';

// ---------------------------------------------------------------------------
// Seeded randomness (mulberry32): the same N always gives the same content.

function rng(seed: number) {
  let s = seed | 0;
  const next = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  /** Up to n distinct elements, in random order. */
  const some = <T>(xs: readonly T[], n: number): T[] => {
    const copy = [...xs];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  };
  const chance = (p: number) => next() < p;
  return { next, int, pick, some, chance };
}

// ---------------------------------------------------------------------------
// Fixed vocabularies: the real provinces, name characters, unit kinds, rounds.

const PROVINCES: [slug: string, name: string, short: string][] = [
  ['beijing', '北京市', '北京'], ['tianjin', '天津市', '天津'], ['hebei', '河北省', '河北'], ['shanxi', '山西省', '山西'],
  ['neimenggu', '内蒙古自治区', '内蒙古'], ['liaoning', '辽宁省', '辽宁'], ['jilin', '吉林省', '吉林'], ['heilongjiang', '黑龙江省', '黑龙江'],
  ['shanghai', '上海市', '上海'], ['jiangsu', '江苏省', '江苏'], ['zhejiang', '浙江省', '浙江'], ['anhui', '安徽省', '安徽'],
  ['fujian', '福建省', '福建'], ['jiangxi', '江西省', '江西'], ['shandong', '山东省', '山东'], ['henan', '河南省', '河南'],
  ['hubei', '湖北省', '湖北'], ['hunan', '湖南省', '湖南'], ['guangdong', '广东省', '广东'], ['guangxi', '广西壮族自治区', '广西'],
  ['hainan', '海南省', '海南'], ['chongqing', '重庆市', '重庆'], ['sichuan', '四川省', '四川'], ['guizhou', '贵州省', '贵州'],
  ['yunnan', '云南省', '云南'], ['xizang', '西藏自治区', '西藏'], ['shaanxi', '陕西省', '陕西'], ['gansu', '甘肃省', '甘肃'],
  ['qinghai', '青海省', '青海'], ['ningxia', '宁夏回族自治区', '宁夏'], ['xinjiang', '新疆维吾尔自治区', '新疆'],
];
/** Characters place names are made of. */
const PLACE_CHARS = '安平阳山川河江泉源城庆兴定武威昌宁远康乐丰德福海湖林石水清永新华东西南北中金银云龙凤白青黄岭峰原泽溪坪台关门桥';
const SURNAMES = '王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文斌辉建国志红海波鹏飞宇浩';

/** Units every prefecture has: id suffix, name after the city's name, alias as plans write it. */
const CITY_BODIES: [key: string, name: string][] = [
  ['party-office', '市委办公室'], ['gov-office', '市政府办公室'], ['organisation', '市委组织部'], ['ecology', '市生态环境局'],
  ['development', '市发展改革委'], ['industry', '市工信局'], ['housing', '市住建局'], ['agriculture', '市农业农村局'],
  ['resources', '市自然资源局'], ['water', '市水务局'], ['forestry', '市林草局'], ['transport', '市交通运输局'],
  ['urban', '市城市管理局'], ['market', '市市场监管局'], ['police', '市公安局'], ['finance', '市财政局'],
  ['health', '市卫生健康委'], ['emergency', '市应急管理局'],
];
const PROVINCE_BODIES: [key: string, name: string][] = [
  ['party-office', '省委办公厅'], ['gov-office', '省政府办公厅'], ['ecology', '省生态环境厅'], ['development', '省发展改革委'],
  ['housing', '省住房和城乡建设厅'], ['resources', '省自然资源厅'], ['water', '省水利厅'], ['forestry', '省林业和草原局'],
];

interface RoundTemplate {
  key: string;
  name: string;
  level: Inspection['level'];
  kinds: Inspection['kinds'];
  round?: number;
  /** Year of the feedback; plans are issued the year after. */
  year: number;
}
const ROUNDS: RoundTemplate[] = [
  { key: 'c1', name: '第一轮中央环境保护督察', level: 'central', kinds: ['例行'], round: 1, year: 2017 },
  { key: 'c1r', name: '第一轮中央环境保护督察“回头看”', level: 'central', kinds: ['回头看'], round: 1, year: 2018 },
  { key: 'c2', name: '第二轮中央生态环境保护督察', level: 'central', kinds: ['例行', '专项'], round: 2, year: 2020 },
  { key: 'p', name: '省级生态环境保护督察', level: 'provincial', kinds: ['例行'], year: 2022 },
  { key: 'c3', name: '第三轮中央生态环境保护督察', level: 'central', kinds: ['例行'], round: 3, year: 2024 },
];
const CASE_KINDS: CaseRecord['kinds'] = ['虚假整改', '敷衍整改', '表面整改', '一刀切', '问责', '执法'];
const EVIDENCE: StatusEntry['evidence'][] = ['self-reported', 'self-reported', 'self-reported', 'on-site-check', 'third-party', 'monitoring-data'];
const CN_DIGITS = '零一二三四五六七八九';

/** 1 → 一, 17 → 十七, 62 → 六十二 (as plans number their items). */
function cnNumber(n: number): string {
  if (n < 10) return CN_DIGITS[n]!;
  if (n < 20) return `十${n % 10 ? CN_DIGITS[n % 10] : ''}`;
  if (n < 100) return `${CN_DIGITS[Math.floor(n / 10)]}十${n % 10 ? CN_DIGITS[n % 10] : ''}`;
  return String(n);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const isoDay = (y: number, m: number, d: number) => `${y}-${pad(m, 2)}-${pad(d, 2)}`;
/** A date `months` after an ISO day, clamped to the 28th so every month has it. */
function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  return isoDay(Math.floor(total / 12), (total % 12) + 1, Math.min(d, 28));
}
const minDate = (a: string, b: string) => (a < b ? a : b);
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------
// Text pools from the real content.

interface Pools {
  problems: string[];
  targets: string[];
  measures: string[];
  notes: string[];
  opinions: string[];
  caseSummaries: string[];
  consequences: string[];
  findings: string[];
  placePattern: RegExp;
  realPlaces: Map<string, Region['level']>;
  /** The real topics, kept as they are so items group the same way. */
  topics: Topic[];
}

const sentences = (text: string) => text.split(/(?<=[。；;])/u).map((s) => s.trim()).filter((s) => [...s].length >= 8);

function realPools(): Pools {
  const { content, problems } = loadContent('content');
  if (problems.length) throw new Error('真实内容未通过校验，无法取样');
  const parts = content.items.flatMap((i) => i.parts);
  const changes = content.plans.flatMap((p) => p.amendments.flatMap((a) => a.changes));
  const realPlaces = new Map<string, Region['level']>();
  for (const r of content.regions) {
    if (r.level === 'national') continue;
    for (const name of [r.name, r.shortName, ...r.aliases]) if (name && [...name].length >= 2) realPlaces.set(name, r.level);
  }
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x && x.trim() !== ''))];
  return {
    problems: uniq([...content.items.flatMap((i) => sentences(i.problem ?? '')), ...parts.flatMap((p) => sentences(p.problem ?? ''))]),
    targets: uniq([...parts.map((p) => p.target), ...changes.filter((c) => c.field === 'target').map((c) => c.after)]),
    measures: uniq(parts.flatMap((p) => p.measures.flatMap((m) => sentences(m.text)))),
    notes: uniq(content.items.flatMap((i) => i.statusHistory.map((h) => h.note))),
    opinions: uniq(changes.map((c) => c.opinion)),
    caseSummaries: uniq(content.cases.map((c) => c.summary)),
    consequences: uniq(content.cases.map((c) => c.consequences)),
    findings: uniq(content.reportingRounds.flatMap((r) => r.findings.flatMap((f) => sentences(f.text)))),
    placePattern: new RegExp([...realPlaces.keys()].sort((a, b) => b.length - a.length).join('|'), 'gu'),
    realPlaces,
    topics: content.topics,
  };
}

// ---------------------------------------------------------------------------
// The generator.

export interface GeneratedSummary {
  dir: string;
  items: number;
  parts: number;
  plans: number;
  inspections: number;
  regions: number;
  units: number;
  statuses: number;
  amendments: number;
  cases: number;
  sources: number;
  files: number;
}

/** Writes a synthetic content folder with exactly `n` items into `dir` (emptied first). */
export function generateContent(n: number, dir: string): GeneratedSummary {
  const r = rng(0x5ca1e + n);
  const pools = realPools();

  // How many plans, prefectures and provinces: about 32 items a plan, 5 rounds, 8+ prefectures a province.
  const plansNeeded = Math.ceil(n / 32);
  const provincesUsed = Math.min(PROVINCES.length, Math.max(1, Math.ceil(plansNeeded / (ROUNDS.length * 9))));
  const prefPerProvince = Math.max(8, Math.ceil(plansNeeded / (provincesUsed * ROUNDS.length)) - 1);

  // Regions: 全国, the provinces used, their generated prefectures and counties.
  const regions: Region[] = [{ id: 'china', name: '全国', level: 'national', aliases: [] }];
  const usedNames = new Set<string>();
  const placeName = () => {
    for (;;) {
      const name = r.pick([...PLACE_CHARS]) + r.pick([...PLACE_CHARS]);
      if (name[0] !== name[1] && !usedNames.has(name)) {
        usedNames.add(name);
        return name;
      }
    }
  };
  interface Pref { region: Region; counties: Region[]; province: Region }
  const provinces: { region: Region; prefs: Pref[] }[] = [];
  for (const [slug, name, short] of PROVINCES.slice(0, provincesUsed)) {
    const province: Region = { id: `syn-${slug}`, name, shortName: short, level: 'province', parent: 'china', aliases: [] };
    regions.push(province);
    const prefs: Pref[] = [];
    for (let k = 1; k <= prefPerProvince; k++) {
      const short = placeName();
      const pref: Region = { id: `${province.id}-p${pad(k, 2)}`, name: `${short}市`, shortName: short, level: 'prefecture', parent: province.id, aliases: [] };
      const counties = Array.from({ length: r.int(3, 6) }, (_, j): Region => {
        const cshort = placeName();
        const suffix = j === 0 ? '区' : '县';
        return { id: `${pref.id}-c${j + 1}`, name: `${cshort}${suffix}`, shortName: `${cshort}${suffix}`, level: 'county', parent: pref.id, aliases: [] };
      });
      regions.push(pref, ...counties);
      prefs.push({ region: pref, counties, province });
    }
    provinces.push({ region: province, prefs });
  }

  // Units: each prefecture's bureaus, two collectives and each county's government; each province's departments.
  const units: Unit[] = [];
  const unitsOf = new Map<string, Unit[]>();
  const addUnit = (u: Unit) => {
    units.push(u);
    unitsOf.set(u.region, [...(unitsOf.get(u.region) ?? []), u]);
  };
  for (const p of provinces) {
    for (const [key, name] of PROVINCE_BODIES) addUnit({ id: `${p.region.id}-${key}`, name: `${p.region.name}${name.slice(1)}`, kind: 'body', region: p.region.id, aliases: [name] });
    addUnit({ id: `${p.region.id}-city-govs`, name: '各市州党委和政府', kind: 'collective', region: p.region.id, aliases: [] });
    for (const pref of p.prefs) {
      const city = pref.region.shortName!;
      addUnit({ id: `${pref.region.id}-gov`, name: `${city}市人民政府`, kind: 'body', region: pref.region.id, aliases: [`${city}市政府`] });
      for (const [key, name] of CITY_BODIES) addUnit({ id: `${pref.region.id}-${key}`, name: `${city}${name}`, kind: 'body', region: pref.region.id, aliases: [name] });
      addUnit({ id: `${pref.region.id}-county-govs`, name: `${city}市各县区政府`, kind: 'collective', region: pref.region.id, aliases: ['各县区政府'] });
      addUnit({ id: `${pref.region.id}-all-party-gov`, name: `${city}市各级党委和政府及其工作部门`, kind: 'collective', region: pref.region.id, aliases: ['各级党委和政府及其工作部门'] });
      for (const c of pref.counties) addUnit({ id: `${c.id}-gov`, name: `${c.name}政府`, kind: 'body', region: c.id, aliases: [`${c.name}人民政府`] });
    }
  }

  const sources: SourceDocument[] = [];
  const addSource = (id: string, title: string, issuers: string[], issued: string) => {
    sources.push({ id, title: `【${LABEL}】${title}`, issuers, issued, script: 'simplified', note: `${LABEL}（synthetic），规模测试自动生成，并非真实文件。` });
    return id;
  };

  /** A real sentence with numbers and place names changed to the given jurisdiction. */
  const local = (text: string, pref: Pref | undefined, province: Region) =>
    text
      .replace(/\d+(\.\d+)?/g, (d) => (/^(19|20)\d\d$/.test(d) ? d : String(r.int(2, 10 ** Math.min(d.length, 3)))))
      .replace(pools.placePattern, (m) => {
        const level = pools.realPlaces.get(m);
        if (level === 'province') return m.endsWith('省') ? province.name : province.shortName!;
        const target = !pref ? province : level === 'county' || level === 'district' ? r.pick(pref.counties) : pref.region;
        return m.length > 2 && /[市县区州]$/.test(m) ? target.name : (target.shortName ?? target.name);
      });
  const recombine = (pool: string[], lo: number, hi: number, pref: Pref | undefined, province: Region) =>
    local(r.some(pool, r.int(lo, hi)).join(''), pref, province);
  const people = (k: number) => {
    const names = Array.from({ length: k }, () => r.pick([...SURNAMES]) + r.pick([...GIVEN]) + (r.chance(0.6) ? r.pick([...GIVEN]) : ''));
    return { text: names.join('、'), names };
  };

  /** A deadline phrase for a plan issued in `year`; always one parseDeadline reads. */
  const deadline = (year: number, pref: Pref | undefined): string => {
    const x = r.next();
    const text =
      x < 0.35 ? `${year}年年底前`
      : x < 0.55 ? `${year + 1}年年底前`
      : x < 0.7 ? `${year}年${r.int(6, 12)}月底前`
      : x < 0.78 ? `${year + 1}年上半年`
      : x < 0.93 ? '立行立改,持续加强,长期坚持'
      : x < 0.99 ? `${year + 1}年年底前完成,并长期坚持`
      : `涉及${pref ? pref.counties[0]!.name : ''}自然保护区范围及功能区调整问题,根据国家自然保护地整合优化审核批复时间确定,其余问题${year}年年底前完成。`;
    if (parseDeadline(text).kind === 'unparsed') throw new Error(`生成了无法解析的时限：${text}`);
    return text;
  };

  /** Label of the k-th measure (from 0) in numbering style 0 "(一)", 1 "1.", 2 none. */
  const numbering = (style: number, k: number) =>
    style === 0 ? `(${cnNumber(k + 1)})` : style === 1 ? `${k + 1}.` : undefined;
  /** The label a measure added after the part's last one gets, in the same style. */
  const nextLabel = (part: ItemPart) => {
    const first = part.measures[0]?.label;
    return numbering(first === undefined ? 2 : first.startsWith('(') ? 0 : 1, part.measures.length);
  };

  const inspections: Inspection[] = [];
  const plans: Plan[] = [];
  const items: Item[] = [];
  const cases: CaseRecord[] = [];
  const rounds: ReportingRound[] = [];
  const summaries: ProgressSummary[] = [];
  /** Items of the latest plan of each region, for later rounds' items to continue. */
  const earlierItems = new Map<string, string[]>();
  /** Item ids by prefecture (or province), for cases to relate to. */
  const itemsIn = new Map<string, string[]>();
  let statusCount = 0;
  let amendmentCount = 0;

  // Plans: round by round, province by province, the province's own plan and then each prefecture's.
  outer: for (const round of ROUNDS) {
    for (const p of provinces) {
      if (items.length >= n) break outer;
      const province = p.region;
      const inspection: Inspection = {
        id: `syn-${round.key}-${province.id.slice(4)}`,
        name: `【${LABEL}】${round.name}（${province.name}）`,
        level: round.level,
        kinds: round.kinds,
        ...(round.round ? { round: round.round } : {}),
        team: `${round.level === 'central' ? '中央' : `${province.shortName}省委`}第${cnNumber(r.int(1, 8))}生态环境保护督察组`,
        region: province.id,
        stationedFrom: isoDay(round.year, r.int(3, 5), r.int(1, 28)),
        stationedTo: isoDay(round.year, r.int(6, 7), r.int(1, 28)),
        feedbackOn: isoDay(round.year, r.int(8, 11), r.int(1, 28)),
        sources: [],
        note: NOTE,
      };
      const jurisdictions: (Pref | undefined)[] = [undefined, ...p.prefs];
      let inspectionHasPlan = false;
      for (const pref of jurisdictions) {
        if (items.length >= n) break;
        const region = pref?.region ?? province;
        const city = pref ? pref.region.shortName! : province.shortName!;
        const issued = addMonths(inspection.feedbackOn!, r.int(2, 8));
        const year = Number(issued.slice(0, 4));
        const planId = `${inspection.id}-${pref ? pref.region.id.split('-').at(-1) : 'prov'}`;
        const issuers = pref ? [`中共${region.name}委办公室`, `${region.name}人民政府办公室`] : [`中共${region.name}委办公厅`, `${region.name}人民政府办公厅`];
        const planTitle = `${region.name}贯彻落实${round.name.replace(/“回头看”$/, '')}反馈问题整改实施方案`;
        const notice = addSource(`${planId}-notice`, `关于印发《${planTitle}》的通知`, issuers, issued);
        if (!inspectionHasPlan) inspection.sources.push({ doc: notice, locator: '方案正文', quote: `为全面整改落实${inspection.team}反馈问题` });
        inspectionHasPlan = true;
        // Progress reports: every 6–12 months after the plan, up to the as-of date.
        const reports: { id: string; date: string }[] = [];
        for (let d = addMonths(issued, r.int(5, 12)); d <= SCALE_AS_OF && reports.length < 4; d = addMonths(d, r.int(6, 12))) {
          reports.push({ id: addSource(`${planId}-report-${reports.length + 1}`, `${region.name}${round.name.replace(/“回头看”$/, '')}整改落实情况（${d.slice(0, 4)}年）`, issuers.slice(1), d), date: d });
        }

        const count = Math.min(n - items.length, r.int(12, 62));
        const grouped = round.kinds.length > 1 && count >= 4;
        const routineCount = grouped ? Math.ceil(count * 0.55) : count;
        const plan: Plan = {
          id: planId,
          title: `【${LABEL}】${planTitle}`,
          inspection: inspection.id,
          docNumber: `${city}办字〔${year}〕${r.int(10, 120)}号`,
          issuers,
          issued,
          published: addMonths(issued, r.int(0, 4)),
          region: region.id,
          groups: grouped
            ? [
                { id: 'routine', title: '例行督察反馈问题整改措施清单', declaredCount: routineCount },
                { id: 'special', title: '专项督察整改措施清单', declaredCount: count - routineCount },
              ]
            : [],
          amendments: [],
          source: { doc: notice, locator: '通知正文及附件' },
          note: `${LABEL}（synthetic）：方案由规模测试自动生成。`,
        };

        const localUnits = unitsOf.get(region.id) ?? [];
        // Below the plan's level: county governments, or for a province's plan the city governments.
        const subUnits = pref ? pref.counties.flatMap((c) => unitsOf.get(c.id) ?? []) : p.prefs.flatMap((x) => unitsOf.get(x.region.id)?.slice(0, 1) ?? []);
        const unitField = (pool: Unit[], k: number) => {
          const us = r.some(pool, k);
          return { text: us.map((u) => u.aliases[0] ?? u.name).join('、'), units: us.map((u) => u.id) };
        };
        const previous = earlierItems.get(region.id) ?? [];
        const planItems: Item[] = [];
        for (let k = 1; k <= count; k++) {
          const multi = r.chance(0.15);
          const style = r.int(0, 2);
          const makePart = (label: string | undefined): ItemPart => {
            const measures: Measure[] = Array.from({ length: r.int(1, 5) }, (_, j) => {
              const label = numbering(style, j);
              return { ...(label ? { label } : {}), text: recombine(pools.measures, 1, 2, pref, province) };
            });
            const collective = r.chance(0.1);
            return {
              ...(label ? { label, problem: recombine(pools.problems, 1, 1, pref, province) } : {}),
              target: local(r.pick(pools.targets), pref, province),
              deadline: deadline(year, pref),
              responsibleUnits: collective ? unitField(localUnits.filter((u) => u.kind === 'collective'), 1) : unitField(r.chance(0.5) && subUnits.length ? subUnits : localUnits, r.int(1, 3)),
              ...(r.chance(0.85) ? { responsibleLeaders: people(r.int(1, 2)) } : {}),
              ...(r.chance(0.8) ? { responsiblePersons: people(r.int(1, 3)) } : {}),
              supervisingUnits: unitField(localUnits.filter((u) => u.kind === 'body'), r.int(1, 3)),
              measures,
            };
          };
          const labels = multi ? Array.from({ length: r.int(2, 3) }, (_, j) => `(${cnNumber(j + 1)})`) : [undefined];
          const parts = labels.map(makePart);
          const id = `${planId}-${pad(k, 2)}`;
          const item: Item = {
            id,
            plan: planId,
            ...(grouped ? { group: k <= routineCount ? 'routine' : 'special' } : {}),
            number: k,
            alsoNumbers: [],
            problem: multi ? parts.map((x) => x.problem).join('') : recombine(pools.problems, 1, 3, pref, province),
            parts,
            regions: pref ? [pref.region.id, ...(r.chance(0.4) ? [r.pick(pref.counties).id] : [])] : [province.id, ...(r.chance(0.5) ? [r.pick(p.prefs).region.id] : [])],
            topics: r.some(pools.topics.map((t) => t.id), r.int(1, 2)),
            statusHistory: [],
            relatedItems: previous.length && r.chance(0.15) ? [r.pick(previous)] : [],
            source: { doc: notice, locator: `附件 第${cnNumber(k)}项` },
            note: NOTE,
          };
          // Status history: each progress report gives some items a status, moving forward.
          let stage = 0;
          for (const report of reports) {
            if (!r.chance(0.55)) continue;
            const ongoing = parts.every((x) => parseDeadline(x.deadline!).kind === 'ongoing');
            stage = Math.min(4, stage + r.int(0, 2));
            const status: StatusId = ongoing
              ? 'ongoing'
              : r.chance(0.08) ? r.pick(['behind-schedule', 'not-completed'] as const)
              : (['on-schedule', 'on-schedule', 'basically-completed', 'completed', 'completed'] as const)[stage]!;
            const onePart = multi && r.chance(0.3) ? r.pick(labels) : undefined;
            item.statusHistory.push({
              date: report.date,
              status,
              ...(onePart ? { part: onePart } : {}),
              ...(r.chance(0.6) ? { note: local(r.pick(pools.notes), pref, province) } : {}),
              evidence: r.pick(EVIDENCE),
              source: { doc: report.id, locator: `附件 第${cnNumber(k)}项` },
            });
          }
          statusCount += item.statusHistory.length;
          const last = item.statusHistory.at(-1);
          if (last && last.status === 'completed' && !last.part && r.chance(0.2)) {
            const acceptedOn = addMonths(last.date, 1);
            const noticeFrom = addDays(acceptedOn, 14);
            const noticeTo = addDays(noticeFrom, 7);
            const signedOff = addDays(noticeTo, 10);
            item.signOff = {
              acceptedOn: minDate(acceptedOn, SCALE_AS_OF),
              noticeFrom: minDate(noticeFrom, SCALE_AS_OF),
              noticeTo: minDate(noticeTo, SCALE_AS_OF),
              objectionContact: `0${r.int(310, 999)}-${r.int(1000000, 9999999)}`,
              ...(signedOff <= SCALE_AS_OF ? { signedOffOn: signedOff } : {}),
              source: { doc: last.source.doc, locator: '销号公示' },
            };
          }
          planItems.push(item);
        }

        // Amendments: about a third of plans get one notice changing 1–4 fields, the "before" text quoted from the item.
        if (r.chance(0.3) && planItems.length) {
          const date = addMonths(issued, r.int(3, 6));
          if (date <= SCALE_AS_OF) {
            const amendmentId = `${planId}-amendment-1`;
            const doc = addSource(amendmentId, `关于补充完善《${planTitle}》部分内容的通知`, issuers, date);
            const changes: AmendmentChange[] = [];
            for (const item of r.some(planItems, r.int(1, 4))) {
              const part = r.pick(item.parts);
              const field = r.pick(['deadline', 'target', 'measures', 'responsibleUnits'] as const);
              const before = field === 'deadline' ? part.deadline! : field === 'target' ? part.target! : field === 'measures' ? measuresToText(part.measures) : part.responsibleUnits!.text;
              const after =
                field === 'deadline' ? `${year + 1}年年底前`
                : field === 'target' ? local(r.pick(pools.targets), pref, province)
                : field === 'measures' ? measuresToText([...part.measures, { ...(nextLabel(part) ? { label: nextLabel(part)! } : {}), text: recombine(pools.measures, 1, 2, pref, province) }])
                : unitField(localUnits, r.int(1, 3)).text;
              if (after === before) continue;
              changes.push({
                item: item.id,
                ...(part.label ? { part: part.label } : {}),
                field,
                ...(r.chance(0.8) ? { opinion: local(r.pick(pools.opinions), pref, province) } : {}),
                before,
                after,
              });
            }
            if (changes.length) {
              const amendment: Amendment = {
                id: amendmentId,
                title: `【${LABEL}】关于补充完善《${planTitle}》部分内容的通知`,
                date,
                issuers,
                reviewDocNumber: `${province.shortName!.slice(0, 1)}整改函〔${year}〕${r.int(1, 40)}号`,
                reviewBody: '省整改办',
                reviewDate: addMonths(date, -1),
                source: { doc, locator: '补充完善通知' },
                changes,
              };
              plan.amendments.push(amendment);
              amendmentCount++;
            }
          }
        }

        plans.push(plan);
        items.push(...planItems);
        earlierItems.set(region.id, planItems.map((i) => i.id));
        const key = pref?.region.id ?? province.id;
        itemsIn.set(key, [...(itemsIn.get(key) ?? []), ...planItems.map((i) => i.id)]);
      }
      if (inspectionHasPlan) inspections.push(inspection);
    }
  }

  // The slots (rounds × provinces × jurisdictions) hold about 1.15 n items on average; say so if they ever fall short.
  if (items.length !== n) throw new Error(`只生成了 ${items.length} 项（目标 ${n} 项）：请增加每省的地市数`);

  // Cases: one per 150 items, in a prefecture (or one of its counties), citing a few of its items.
  const allPrefs = provinces.flatMap((p) => p.prefs).filter((x) => itemsIn.has(x.region.id));
  const caseCount = Math.max(3, Math.ceil(n / 150));
  let caseDoc = '';
  for (let k = 1; k <= caseCount && allPrefs.length; k++) {
    const pref = r.pick(allPrefs);
    const where = r.chance(0.5) ? r.pick(pref.counties) : pref.region;
    const date = isoDay(r.int(2019, 2025), r.int(1, 12), r.int(1, 28));
    // Ten cases to a bulletin, as case bulletins are published in batches.
    if (k % 10 === 1) caseDoc = addSource(`syn-case-source-${pad(Math.ceil(k / 10), 4)}`, `生态环境保护督察典型案例通报（第${cnNumber(Math.ceil(k / 10))}批）`, ['生态环境部'], date);
    const summary = local(r.pick(pools.caseSummaries), pref, pref.province);
    cases.push({
      id: `syn-case-${pad(k, 5)}`,
      title: `【${LABEL}】${summary.split(/[,，]/)[0]!.slice(0, 30)}`,
      date,
      regions: [where.id],
      kinds: r.some(CASE_KINDS, r.int(1, 2)),
      summary,
      ...(r.chance(0.7) ? { consequences: local(r.pick(pools.consequences), pref, pref.province) } : {}),
      relatedItems: r.some(itemsIn.get(pref.region.id) ?? [], r.int(0, 2)),
      units: r.some(unitsOf.get(pref.region.id) ?? [], r.int(0, 2)).map((u) => u.id),
      source: { doc: caseDoc, locator: `正文 第${cnNumber(((k - 1) % 10) + 1)}例` },
    });
  }

  // Reporting rounds: one per 5,000 items, a province's prefectures' outcomes.
  const roundCount = Math.max(1, Math.ceil(n / 5000));
  for (let k = 1; k <= roundCount; k++) {
    const p = provinces[(k - 1) % provinces.length]!;
    const year = r.int(2019, 2025);
    const dueOn = isoDay(year, r.int(3, 9), r.int(1, 28));
    const assessedOn = addMonths(dueOn, 1);
    const requester = `${p.region.name}住房和城乡建设厅`;
    const doc = addSource(`syn-reporting-${pad(k, 3)}`, `${requester}关于各市州整改数据核查核实上报情况的通报`, [requester], assessedOn);
    const outcomes = p.prefs.map((pref) => ({
      region: pref.region.id,
      outcome: r.pick(['on-time', 'late', 'late', 'not-reported', 'not-mentioned'] as const),
      ...(r.chance(0.8) ? { assessment: local(r.pick(pools.findings), pref, p.region) } : {}),
    }));
    rounds.push({
      id: `syn-reporting-${pad(k, 3)}`,
      title: `【${LABEL}】${p.region.name}各市州整改数据核查核实上报情况（${year}年）`,
      requester,
      addressees: '各市州住建局、各有关单位',
      subject: '核查核实整改数据并上报',
      dueOn,
      assessedOn,
      relatedItems: r.some(itemsIn.get(p.prefs[0]!.region.id) ?? [], 2),
      outcomes,
      findings: [{ heading: '(一)未按要求开展核查核实工作', text: local(r.some(pools.findings, 3).join(''), p.prefs[0], p.region) }],
      source: { doc, locator: '一、上报情况' },
    });
  }

  // Progress summaries: one per 2,000 items, figures for one plan as its last report gives them.
  const summaryCount = Math.max(1, Math.ceil(n / 2000));
  for (let k = 1; k <= summaryCount; k++) {
    const plan = plans[Math.floor(((k - 1) * plans.length) / summaryCount)]!;
    const planItems = items.filter((i) => i.plan === plan.id);
    const done = planItems.filter((i) => ['completed', 'basically-completed'].includes(i.statusHistory.at(-1)?.status ?? '')).length;
    summaries.push({
      id: `syn-summary-${pad(k, 3)}`,
      title: `【${LABEL}】${plan.title.replace(`【${LABEL}】`, '')}整改任务完成情况`,
      asOf: plan.published ?? plan.issued!,
      region: plan.region,
      inspection: plan.inspection,
      figures: [
        { label: '整改任务', value: planItems.length, unit: '项', asPrinted: `整改任务共${planItems.length}项` },
        { label: '已完成', value: done, unit: '项', asPrinted: `已完成${done}项` },
      ],
      note: NOTE,
      source: { doc: plan.source.doc, locator: '通知正文' },
    });
  }

  // Write the folder: lists in one file each, records one per file, as content/ is laid out.
  rmSync(dir, { recursive: true, force: true });
  let files = 0;
  const write = (path: string, data: unknown, comment?: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), `${comment ? `# ${comment}\n` : ''}${stringify(data, { lineWidth: 0 })}`);
    files++;
  };
  const banner = `${LABEL}（synthetic）：规模测试自动生成，并非真实内容。`;
  write('sources.yaml', sources, banner);
  write('regions.yaml', regions, banner);
  write('units.yaml', units, banner);
  write('topics.yaml', pools.topics, '主题沿用真实 content/topics.yaml。');
  for (const i of inspections) write(`inspections/${i.id}.yaml`, i, banner);
  for (const p of plans) write(`plans/${p.id}.yaml`, p, banner);
  for (const i of items) write(`items/${i.plan}/${pad(i.number, 2)}.yaml`, i, banner);
  for (const c of cases) write(`cases/${c.id}.yaml`, c, banner);
  for (const x of rounds) write(`reporting-rounds/${x.id}.yaml`, x, banner);
  for (const s of summaries) write(`progress-summaries/${s.id}.yaml`, s, banner);
  writeFileSync(
    join(dir, 'SYNTHETIC.txt'),
    `合成数据 / SYNTHETIC DATA\n\n本文件夹由 bench/scale/generate.ts 为规模测试自动生成（${n} 项整改任务），并非真实内容，不得复制到 content/ 或对外发布。\nGenerated by bench/scale/generate.ts for the scale benchmark (${n} items). Not real; never copy into content/ or publish.\n`,
  );

  return {
    dir,
    items: items.length,
    parts: items.reduce((s, i) => s + i.parts.length, 0),
    plans: plans.length,
    inspections: inspections.length,
    regions: regions.length,
    units: units.length,
    statuses: statusCount,
    amendments: amendmentCount,
    cases: cases.length,
    sources: sources.length,
    files,
  };
}


// Command line: tsx bench/scale/generate.ts N [--out DIR]
if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 1000);
  const outAt = args.indexOf('--out');
  const dir = outAt >= 0 ? args[outAt + 1]! : join('.scratch', 'scale', String(n), 'content');
  const started = performance.now();
  const s = generateContent(n, dir);
  console.log(
    `合成数据 → ${s.dir}：${s.items} 项任务（${s.parts} 个分项）、${s.plans} 个方案、${s.inspections} 次督察、${s.regions} 个地区、${s.units} 个单位、` +
      `${s.statuses} 条状态、${s.amendments} 份修改通知、${s.cases} 个案例、${s.sources} 份来源；${s.files} 个文件，用时 ${((performance.now() - started) / 1000).toFixed(1)} 秒。`,
  );
}
