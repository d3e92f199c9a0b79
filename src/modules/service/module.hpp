// The customer-service (客户服务) module as the server runs it (api/module.hpp).
#pragma once

#include <memory>

#include "api/module.hpp"
#include "modules/service/desk.hpp"
#include "modules/service/service.hpp"

namespace zhidu::service {

std::unique_ptr<api::Module> MakeModule();
// Its routes under /api/v1/service/…; `s` null: they answer 503.
void AddRoutes(api::Router& router, Service* s);
// Its order routes under /api/v1/service/orders… (order_routes.cpp).
void AddOrderRoutes(api::Router& router, Service* s);
// The public web forms (web_form_routes.cpp, issue 18 §2).
void AddWebFormRoutes(api::Router& router, Service* s);
// R17's feedback and callback routes (desk_routes.cpp).
void AddDeskRoutes(api::Router& router, Desk* d);
// The reports (report_routes.cpp, issue 18 §10).
class Reports;
void AddReportRoutes(api::Router& router, const Reports* reports);
// The supervisor board (board_routes.cpp, issue 18 §10).
class Board;
void AddBoardRoutes(api::Router& router, const Board* board);
// A customer's overview, the 360° view's reads the lists lack (board_routes.cpp).
class Overview;
void AddOverviewRoutes(api::Router& router, const Overview* overview);

}  // namespace zhidu::service
