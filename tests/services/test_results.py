"""Results survive the JSON round trip a replayed idempotency key takes, exactly."""

from decimal import Decimal

from pos_app.services.pay import PaymentResult, TenderLine


def test_a_payment_result_round_trips_through_json_with_exact_amounts():
    result = PaymentResult(
        receipt_no="WS01-000001",
        mrn="P1",
        patient_name="Zoë",
        amount=Decimal("0.30"),
        items=[1, 2],
        tenders=[
            TenderLine("wallet", Decimal("0.10")),
            TenderLine("cash", Decimal("0.20"), None, Decimal("1.00"), Decimal("0.80")),
        ],
        change=Decimal("0.80"),
        wallet_balance_after=Decimal("99999999999.99"),
        idempotency_key="k-00000001",
        audit_hash="ab",
        at="2026-11-24T10:00:00+00:00",
        workstation="WS01",
        cashier="cashier",
        currency="KES",
    )
    data = result.to_json()
    assert data["amount"] == "0.30" and data["tenders"][1]["cash_tendered"] == "1.00"
    again = PaymentResult.from_json(data, replayed=True)
    assert again == PaymentResult(**{**result.__dict__, "replayed": True})
    assert isinstance(again.tenders[0].amount, Decimal)
