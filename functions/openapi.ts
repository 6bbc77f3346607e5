/**
 * The OpenAPI 3.1 document served at /api/openapi.json. Request bodies are
 * generated from the same zod schemas that validate them, so the document
 * cannot drift from the code.
 */
import { z } from 'zod';
import { POLLUTION_TYPES, complaintInput } from '../src/domain/complaint.ts';
import { COMPLAINT_STATES } from '../src/domain/complaint-states.ts';
import { todayInChina } from '../src/domain/dates.ts';
import { VERDICTS } from '../src/domain/complaint-handling.ts';
import { FREQUENCY_LABELS } from '../src/domain/subscription-mail.ts';
import { subscriptionInput } from './subscription-service.ts';
import { SUBSCRIPTION_ACCEPTED } from './subscriptions.ts';
import { COUNT_LIMIT, RANK_WINDOW } from '../src/search/index-store.ts';

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function openApiDocument(regions: readonly string[]) {
  const input = z.toJSONSchema(complaintInput(regions, todayInChina()), { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, Record<string, unknown>>;
  };
  delete (input as { $schema?: string }).$schema;
  input.properties.region = { type: 'string', enum: [...regions], description: '地区编号（见 /data/portal.json 的 regions）' };
  input.properties.website = { ...input.properties.website, description: '防机器人字段：必须为空或省略' };
  input.properties.notifyByEmail = {
    type: 'boolean',
    default: false,
    description: '投诉人要求通过电子邮件告知办理进展（收到、受理或不予受理、转办、延期、办结、合并办理、重新办理）。须实名举报并填写 email；匿名举报时忽略。邮件含投诉人的查询链接，只发送到所填邮箱',
  };
  // Optional: a client that does not send it asks for no mail.
  const withRequired = input as { required?: string[] };
  if (withRequired.required) withRequired.required = withRequired.required.filter((k) => k !== 'notifyByEmail');
  // The subscription request, from its validator; the target's existence is checked against the content.
  const follow = z.toJSONSchema(subscriptionInput({ regions: [], units: [], notices: [] }), { io: 'input', unrepresentable: 'any' }) as { $schema?: string; properties: Record<string, Record<string, unknown>> };
  delete follow.$schema;
  follow.properties.email = { ...follow.properties.email, description: '接收动态的电子邮箱：加密保存，不公开；先收到一封确认邮件，确认之前不会收到其他邮件' };
  follow.properties.target = { type: 'string', pattern: '^(item|plan|unit|region):[a-z0-9][a-z0-9-]*$', description: '要订阅的页面：item:<整改任务编号>、plan:<整改方案编号>、unit:<责任单位编号> 或 region:<地区编号>（编号见 /data/portal.json）', examples: ['item:wuwei-2020-07'] };
  follow.properties.frequency = { ...follow.properties.frequency, description: Object.entries(FREQUENCY_LABELS).map(([k, v]) => `${k}：${v}摘要`).join('；') + '。有新动态时才发送' };
  // Each state with its phase, as Open311's status reports it.
  const state = { type: 'string', enum: COMPLAINT_STATES.map((s) => s.id), description: COMPLAINT_STATES.map((s) => `${s.id}：${s.label}（${s.phase}）`).join('；') };
  return {
    openapi: '3.1.0',
    info: {
      title: '督察整改公开平台 API',
      version: '0.1.0',
      description: '投诉受理与查询、检索、邮件订阅。所有错误均以 Error 结构返回，HTTP 状态码表明错误类别。',
    },
    paths: {
      '/api/health': {
        get: {
          summary: '健康检查',
          responses: { 200: { description: '服务正常', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' }, database: { enum: ['configured', 'not_configured'] } } } } } } },
        },
      },
      '/api/complaints': {
        post: {
          summary: '提交投诉',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{8,100}$' }, description: '同一键、同一内容的重试返回同一回执（与客户端地址无关）；同一键用于不同内容时返回 422 idempotency_key_reused' }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ComplaintInput' } } } },
          responses: {
            201: { description: '已受理提交，返回回执（写入已提交）', content: { 'application/json': { schema: { $ref: '#/components/schemas/Receipt' } } } },
            200: { description: '重试：返回首次提交的回执', content: { 'application/json': { schema: { $ref: '#/components/schemas/Receipt' } } } },
            400: error('请求格式错误（JSON 无效或 Idempotency-Key 无效）'),
            413: error('请求内容过大'),
            415: error('内容类型不受支持'),
            422: error('字段校验失败（validation_failed），fields 列出每个字段的错误；或同一 Idempotency-Key 已用于不同内容（idempotency_key_reused，未写入）'),
            429: error('提交过于频繁；见 Retry-After 响应头'),
            503: error('未配置数据库（database_unavailable），或数据库被占用超过等待时间（database_busy，未写入，按 Retry-After 用同一 Idempotency-Key 重试）'),
          },
        },
      },
      '/api/complaints/{code}': {
        get: {
          summary: '投诉人凭查询码查询办理进展',
          parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string' }, description: '查询码（回执中的 trackingCode，投诉人专有的凭证，大小写和连字符不限）；公开的受理编号不能用于查询' }],
          responses: {
            200: { description: '办理进展（仅公开答复）', content: { 'application/json': { schema: { $ref: '#/components/schemas/ComplaintStatus' } } } },
            404: error('没有该查询码'),
            429: error('查询过于频繁'),
            503: error('未配置数据库'),
          },
        },
      },
      '/api/complaints/published': {
        get: {
          summary: '已公开的投诉办理结果（“边督边改”公开表格式）',
          description: '只含投诉人同意公开、且工作人员已公开的办理结果；不含任何个人信息和详细地址。地区筛选包含下级地区。',
          parameters: [
            { name: 'region', in: 'query', schema: { type: 'string' }, description: '地区编号' },
            { name: 'type', in: 'query', schema: { type: 'string', enum: [...POLLUTION_TYPES] }, description: '污染类型' },
            { name: 'verdict', in: 'query', schema: { type: 'string', enum: [...VERDICTS] }, description: '是否属实' },
            { name: 'unit', in: 'query', schema: { type: 'string' }, description: '责任单位编号' },
            { name: 'item', in: 'query', schema: { type: 'string' }, description: '整改任务编号：只列出工作人员关联到该任务的投诉（每行的 items 为关联的任务编号，以分号分隔）' },
            { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'csv'], default: 'json' }, description: 'csv 为带 BOM 的 UTF-8' },
          ],
          responses: { 200: { description: '结果表（JSON 或 CSV）' }, 400: error('筛选条件有误'), 503: error('未配置数据库') },
        },
      },
      '/api/error-reports': {
        post: {
          summary: '报告数据错误',
          description: '报告整改任务、典型案例、上报情况或来源文件页面上的数据错误。工作人员核实后，更正（注明依据的来源文件）或不予更正（说明理由），结果在 /corrections/ 公开；报告人的原话和联系方式不公开，联系方式加密保存；留下电子邮箱的，核实结果决定后发送一封邮件到该邮箱（提交时不发送）。同一 Idempotency-Key 重发得到同一报告。',
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{16,100}$' }, description: '重发同一报告时使用同一个值' }],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['page', 'description'],
                  properties: {
                    page: { type: 'string', pattern: '^/(items|cases|reporting|sources)/[a-z0-9][a-z0-9-]*/$', description: '所报告的页面，如 /items/wuwei-2020-10/' },
                    description: { type: 'string', minLength: 10, maxLength: 2000, description: '哪一处有误，正确的应是什么（只交工作人员）' },
                    evidence: { type: 'string', maxLength: 2000, description: '依据：来源文件、页码或网址' },
                    contact: { type: 'object', additionalProperties: false, properties: { name: { type: 'string', maxLength: 50 }, email: { type: 'string', format: 'email' } } },
                  },
                },
              },
            },
          },
          responses: {
            201: { description: '已收到：{ reference, state, stateLabel, page }，reference 形如 E2026-000001' },
            200: { description: '同一 Idempotency-Key 重发：原报告' },
            400: error('请求体不是有效的 JSON'),
            413: error('提交内容过大'),
            415: error('不是 application/json'),
            422: error('报告内容有误（fields 逐项说明）'),
            429: error('提交过于频繁（Retry-After）'),
            503: error('未配置数据库'),
          },
        },
      },
      '/api/search': {
        get: {
          summary: '全文检索：整改方案、整改任务、分项、措施、方案修改、典型案例、上报情况、进展通报和已公开的投诉办理结果',
          description: '简繁体、全角半角不限；中文按二元组与单字索引，PM2.5、一级A 等字母数字词保持完整，文号（如 武办字〔2020〕47号）不论用哪种括号输入都可检索。BM25 排序（标题和问题描述权重高于措施），高亮片段保留原文字形。整改任务、分项和方案修改的结果附所属整改方案（plan）。筛选项可重复或以逗号分隔，返回各维度的计数；只给筛选条件、不给搜索词时，列出符合条件的全部记录。',
          parameters: [
            { name: 'q', in: 'query', schema: { type: 'string', maxLength: 100 }, description: '搜索词；可以不填，此时须至少给出一个筛选条件，列出符合条件的全部记录（按类型、方案和编号排列）' },
            ...['kind', 'inspection', 'plan', 'region', 'unit', 'status', 'topic', 'pollution'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
            { name: 'from', in: 'query', schema: { type: 'integer' }, description: '起始年份' },
            { name: 'to', in: 'query', schema: { type: 'integer' }, description: '截止年份' },
            { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
            { name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
            { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'csv'] }, description: 'csv 为带 BOM 的 UTF-8（至多 1000 条）' },
          ],
          responses: { 200: { description: `结果、分面计数与分页。匹配记录超过 ${COUNT_LIMIT} 条时，total 为 ${COUNT_LIMIT}、totalExact 为 false（表示“超过”），分面计数只统计按类型排列的前 ${COUNT_LIMIT} 条（已筛选的维度统计不加筛选时的前 ${COUNT_LIMIT} 条）、facetsExact 为 false（各计数表示“不少于”）；每一层（标题或问题描述命中、仅正文命中）按 BM25 排序其前 ${RANK_WINDOW} 条，其后按类型和编号排列` }, 400: error('查询或筛选条件有误'), 503: error('未配置数据库') },
        },
      },
      '/api/subscriptions': {
        post: {
          summary: '用电子邮件订阅一个页面的整改动态（整改任务、整改方案、责任单位或地区）',
          description:
            '双重确认：先发送一封含一次性确认链接（48 小时内有效）的邮件，确认后才按所选频率发送摘要，且只在有新动态（状态变化、方案修改、到期未公开完成、验收销号公示、典型案例与上报情况）时发送。每封邮件都有一键退订链接和 List-Unsubscribe、List-Unsubscribe-Post 头（RFC 8058）。无论该邮箱是否已订阅，有效请求的答复都相同（202），不泄露谁订阅了什么；同一邮箱的确认邮件另有数量上限。',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SubscriptionInput' } } } },
          responses: {
            202: { description: '已受理：如该邮箱尚未订阅，确认邮件已排队发送（对已订阅的邮箱答复相同）', content: { 'application/json': { schema: { $ref: '#/components/schemas/SubscriptionAccepted' } } } },
            400: error('请求内容不是有效的 JSON 对象（invalid_json）'),
            413: error('请求内容过大'),
            415: error('内容类型不受支持'),
            422: error('字段校验失败（validation_failed），fields 列出 email、target、frequency 的错误；多余字段记在 fields._'),
            429: error('提交过于频繁（rate_limited）；见 Retry-After 响应头'),
            503: error('未配置数据库（database_unavailable）或网站地址（mail_unavailable）'),
          },
        },
      },
      '/api/staff/login': {
        post: {
          summary: '工作人员登录',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string', maxLength: 64 }, password: { type: 'string', maxLength: 256 } } } } } },
          responses: {
            200: { description: '登录成功；设置 HttpOnly、SameSite=Strict 的会话 Cookie（生产环境名为 __Host-portal_session），返回 CSRF 令牌（之后每个修改请求须以 X-CSRF-Token 头提交）' },
            401: error('用户名或密码错误，或该账号登录尝试过于频繁（两者答复相同；Retry-After 为下次尝试前须等待的秒数）'),
            422: error('字段校验失败'),
            429: error('本客户端登录尝试过于频繁；见 Retry-After'),
          },
        },
      },
      '/api/staff/me': { get: { summary: '当前登录的工作人员', responses: { 200: { description: '用户与 CSRF 令牌' }, 401: error('未登录或会话已失效') } } },
      '/api/staff/logout': { post: { summary: '退出登录', responses: { 204: { description: '已退出' }, 401: error('未登录'), 403: error('CSRF 校验失败') } } },
    },
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', description: '机器可读的错误代码' },
                message: { type: 'string', description: '中文说明' },
                fields: { type: 'object', additionalProperties: { type: 'string' }, description: '校验失败时，每个字段的中文错误' },
              },
            },
          },
        },
        ComplaintInput: input,
        SubscriptionInput: follow,
        SubscriptionAccepted: { type: 'object', required: ['status', 'message'], properties: { status: { const: SUBSCRIPTION_ACCEPTED.status }, message: { type: 'string', examples: [SUBSCRIPTION_ACCEPTED.message] } } },
        Receipt: {
          type: 'object',
          properties: {
            reference: { type: 'string', description: '受理编号（公开），如 2026-000123' },
            trackingCode: { type: 'string', description: '查询码：投诉人专有的凭证，只在回执中出现一次，切勿公开' },
            trackingCodeDisplay: { type: 'string' }, receivedAt: { type: 'string', format: 'date-time' },
            state, stateLabel: { type: 'string' }, trackUrl: { type: 'string' },
          },
        },
        ComplaintStatus: {
          allOf: [
            { $ref: '#/components/schemas/Receipt' },
            {
              type: 'object',
              properties: {
                pollutionTypes: { type: 'array', items: { type: 'string' } },
                region: { type: 'string' },
                disputable: { type: 'boolean', description: '现在能否对办理结果提出异议（在查询页面提出）' },
                mailing: { type: 'boolean', description: '每一步办理进展是否发送邮件到提交时填写的邮箱；可在查询页面停止（POST /complaints/track/{code}/mail-stop），停止后尚未发出的邮件一并撤回' },
                timeline: { type: 'array', items: { type: 'object', properties: { at: { type: 'string' }, state, stateLabel: { type: 'string' }, publicNote: { type: ['string', 'null'] } } } },
              },
            },
          ],
        },
      },
    },
  };
}
