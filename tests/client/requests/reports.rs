//! Reports and report types.

use basiq::filter::ReportTransactionFilter;
use basiq::open::TransactionDirection;
use basiq::{Call, types};
use time::macros::date;

use crate::support::ops::{REPORT, REPORT_TYPE};
use crate::support::spec::request_fixture;

request_test!(list_all_reports, "listAllReports", |client| client.list_all_reports().call());

request_test!(create_report, "createReport", |client| client
    .create_report()
    .body(request_fixture::<types::ReportCreateRequest>("createReport"))
    .call());

request_test!(retrieve_report, "retrieveReport", |client| client.retrieve_report().id(REPORT).call());

request_test!(delete_report, "deleteReport", |client| client.delete_report().id(REPORT).call());

request_test!(retrieve_report_transactions, "retrieveReportTransactions", |client| client
    .retrieve_report_transactions()
    .report_id(REPORT)
    .filter(
        ReportTransactionFilter::post_date()
            .between(date!(2024 - 01 - 01), date!(2024 - 01 - 31))
            .and(ReportTransactionFilter::direction().eq(TransactionDirection::Credit))
    )
    .call());

request_test!(list_report_types, "listReportTypes", |client| client.list_report_types().call());

request_test!(retrieve_specific_report_type, "retrieveSpecificReportType", |client| client
    .retrieve_specific_report_type()
    .report_type_id(REPORT_TYPE)
    .call());
