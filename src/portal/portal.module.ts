import { type DynamicModule, Global, Module } from '@nestjs/common';
import { PROBLEM_PAGE } from '../platform/errors/problem-page';
import { CitizenPagesController } from './citizen-pages.controller';
import { OfficerPagesController } from './officer-pages.controller';
import { PortalAuthController } from './portal-auth.controller';
import { PortalContext } from './portal-context';
import { PORTAL_PROBLEM_PAGE } from './portal-error.filter';
import { PortalNames } from './portal-names';
import { PortalOidc } from './portal-oidc';
import { PORTAL_OPTIONS, type PortalOptions } from './portal-options';
import { PortalSessions } from './portal-session';

/** The citizens' and privacy officers' web pages, served on the public listener at `/`. */
@Global()
@Module({})
export class PortalModule {
  static forRoot(options: PortalOptions): DynamicModule {
    return {
      module: PortalModule,
      controllers: [PortalAuthController, CitizenPagesController, OfficerPagesController],
      providers: [
        { provide: PORTAL_OPTIONS, useValue: options },
        { provide: PortalOidc, useValue: new PortalOidc(options.oidc) },
        PortalContext,
        PortalNames,
        PortalSessions,
        // Global, so the platform's error filter finds it: browsers get error pages, APIs problem+json.
        { provide: PROBLEM_PAGE, useValue: PORTAL_PROBLEM_PAGE },
      ],
      exports: [PROBLEM_PAGE],
    };
  }
}
