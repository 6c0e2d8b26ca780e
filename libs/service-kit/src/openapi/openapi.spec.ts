import { AddressInfo } from 'node:net';
import { Body, Controller, Get, INestApplication, Module, Post, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiZodBody, ApiZodQuery, setUpOpenApi } from './openapi';

const Filter = z.strictObject({
  colour: z.enum(['red', 'blue']).optional().describe('Only things of this colour'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const Create = z.strictObject({ name: z.string().min(1), size: z.number().int().optional() });

@ApiTags('things')
@ApiBearerAuth()
@Controller('things')
class ThingsController {
  @Get()
  @ApiOperation({ summary: 'List things' })
  @ApiZodQuery(Filter)
  @ApiOkResponse({ description: 'The things' })
  list(@Query() _query: unknown): string[] {
    return [];
  }

  @Post(':id/rename')
  @ApiZodBody(Create, 'The new name')
  rename(@Body() body: unknown): unknown {
    return body;
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('the OpenAPI document every service serves', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    app = await NestFactory.create(ThingsModule, { logger: false });
    setUpOpenApi(app, { name: 'things' });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(() => app?.close());

  it('is at /openapi.json, with the routes, their tags, the bearer scheme and zod-described parameters', async () => {
    const response = await fetch(`${url}/openapi.json`);
    expect(response.status).toBe(200);
    const doc: any = await response.json();
    expect(doc).toMatchObject({ openapi: expect.stringMatching(/^3\./), info: { title: 'hitl things' } });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const list = doc.paths['/things'].get;
    expect(list).toMatchObject({ summary: 'List things', tags: ['things'], security: [{ bearer: [] }], responses: { 200: { description: 'The things' } } });
    expect(list.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'colour',
          in: 'query',
          required: false,
          description: 'Only things of this colour',
          schema: { type: 'string', enum: ['red', 'blue'] },
        }),
        expect.objectContaining({
          name: 'limit',
          in: 'query',
          required: false,
          schema: expect.objectContaining({ type: 'integer', maximum: 200, default: 50 }),
        }),
      ]),
    );
    const rename = doc.paths['/things/{id}/rename'].post;
    expect(rename.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['name'], additionalProperties: false });
  });

  it('has a browsable form at /docs', async () => {
    const response = await fetch(`${url}/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger-ui');
  });
});
