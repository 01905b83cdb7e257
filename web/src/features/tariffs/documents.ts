import { graphql } from '../../gql';

export const TariffFields = graphql(`
  fragment TariffFields on SmsTariff {
    id
    countryCode
    shortCode
    active
    updatedAt
    operator {
      id
      name
    }
    price {
      amount
      currency
    }
    priceUsd {
      amount
      currency
    }
    yieldUsd {
      amount
      currency
    }
    operatorShareUsd {
      amount
      currency
    }
    platformFeeUsd {
      amount
      currency
    }
  }
`);

export const CountryFields = graphql(`
  fragment CountryFields on Country {
    code
    name
    currency
    active
    updatedAt
  }
`);

export const TariffCountriesDocument = graphql(`
  query TariffCountries {
    countries(includeInactive: true) {
      ...CountryFields
    }
  }
`);

export const CountryTariffsDocument = graphql(`
  query CountryTariffs($country: String!) {
    tariffs(country: $country, includeInactive: true) {
      ...TariffFields
    }
  }
`);
