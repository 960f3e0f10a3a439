import { Controller, Get, Param, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MyDataService } from '../my-data/my-data.service';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { PortalContext } from './portal-context';
import { PortalErrorFilter } from './portal-error.filter';
import { sendPage } from './portal-http';
import { PortalNames } from './portal-names';
import { myInformationPage, previewPage, productPage } from './views-my-data';

const PRODUCT = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

/**
 * "My information": the citizen's own data, read from its holders' sources,
 * and what a pending request would send. Every page that shows data is
 * audited by the service before it is built.
 */
@ServedOn('public')
@UseFilters(PortalErrorFilter)
@Controller()
export class MyDataPagesController {
  constructor(
    private readonly context: PortalContext,
    private readonly myData: MyDataService,
    private readonly names: PortalNames,
  ) {}

  @Get('my-information')
  async list(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = await this.context.require(request);
    await sendPage(reply, myInformationPage(context, await this.names.load(), this.myData.products()));
  }

  @Get('my-information/:product')
  async view(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('product') product: string,
  ): Promise<void> {
    const context = await this.context.require(request);
    if (product.length > 100 || !PRODUCT.test(product)) throw new DomainError('not-found');
    const view = await this.myData.view(context.principal.subject, product, request.id);
    await sendPage(reply, productPage(context, await this.names.load(), view));
  }

  @Get('requests/:id/preview')
  async preview(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string): Promise<void> {
    const context = await this.context.require(request);
    const preview = await this.myData.preview(context.principal.subject, id, request.id);
    await sendPage(reply, previewPage(context, await this.names.load(), preview));
  }
}
